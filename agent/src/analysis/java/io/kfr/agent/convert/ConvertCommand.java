package io.kfr.agent.convert;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code kfr convert --format pprof|otlp|collapsed [--events offcpu,cpu] [--from T] [--to T]
 * [--service NAME] in.jfr out}: kfr's events as a profile for fleet backends and flame graph tools.
 * {@code out} is written under a temporary name and renamed, so a failed conversion leaves no
 * partial file; "-" writes to standard output. Returns the exit code: 0, 1 when the input cannot be
 * read or the output not written, 2 for bad arguments; every failure is one "kfr:" line on err.
 */
public final class ConvertCommand {
    public static final String USAGE = "convert --format pprof|otlp|collapsed [--events " + EventKind.known()
            + "] [--from T] [--to T] [--service NAME] <in.jfr> <out|->";

    private ConvertCommand() {
    }

    public static int run(List<String> args, PrintStream out, PrintStream err) {
        Args a;
        try {
            a = Args.parse(args);
        } catch (ConvertException e) {
            err.println("kfr: convert: " + e.getMessage() + "; usage: " + USAGE);
            return 2;
        }
        try {
            String problem = a.toStdout() ? null : outputProblem(a.out);
            if (problem != null) {
                throw new ConvertException(problem);
            }
            Profile profile = ProfileReader.read(a.in, a.kinds, a.window);
            if (a.toStdout()) {
                write(a, profile, out);
            } else {
                writeFile(a, profile);
                err.println(summary(a, profile));
            }
            return 0;
        } catch (ConvertException e) {
            err.println("kfr: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("kfr: cannot write " + a.out + ": " + (e.getMessage() == null ? e.getClass().getSimpleName()
                    : e.getMessage().lines().findFirst().orElse("")));
            return 1;
        }
    }

    private static void writeFile(Args a, Profile profile) throws IOException {
        Path target = a.out.toAbsolutePath();
        if (Files.exists(target) && !Files.isRegularFile(target)) {
            // a device or a pipe (/dev/stdout, a fifo a collector reads): written in place, never replaced
            try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(target), 1 << 16)) {
                write(a, profile, o);
            }
            return;
        }
        // a new file of this process's own (the umask decides its mode, as for any file the user writes)
        Path tmp = target.resolveSibling("." + target.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        try {
            try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE), 1 << 16)) {
                write(a, profile, o);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void write(Args a, Profile profile, OutputStream o) throws IOException {
        write(a.format, profile, a.service(profile), o);
    }

    /** The profile in one of the formats (pprof, otlp, collapsed); {@code service} names it in OTLP. */
    static void write(String format, Profile profile, String service, OutputStream o) throws IOException {
        if (format.equals("pprof")) {
            PprofWriter.write(profile, o);
        } else if (format.equals("otlp")) {
            OtlpWriter.write(profile, service, o);
        } else {
            CollapsedWriter.write(profile, o);
        }
        o.flush();
    }

    /** One line on what went into the file, per kind: events summed into samples, total time. */
    private static String summary(Args a, Profile profile) {
        StringBuilder b = new StringBuilder("kfr: wrote " + a.out + " (" + a.format + "):");
        for (EventKind k : profile.kinds) {
            long samples = profile.samples.stream().filter(s -> s.kind() == k).count();
            long events = profile.samples.stream().filter(s -> s.kind() == k).mapToLong(Sample::events).sum();
            b.append(String.format(Locale.ROOT, " %s %d events in %d samples, %.3f s;", k.sampleType, events, samples,
                    profile.total(k) / 1e9));
        }
        if (profile.samples.isEmpty()) {
            b.append(" no ").append(String.join("/", profile.kinds.stream().map(k -> k.eventType).toList()))
                    .append(" events").append(a.window.isAll() ? " (a recording made without kfr's agent?)"
                            : " in the --from/--to window");
        }
        return b.toString().replaceAll(";$", "");
    }

    /** A one-line reason why out cannot be written, checked before a long read; null if it can. */
    private static String outputProblem(Path out) {
        Path absolute = out.toAbsolutePath();
        Path dir = absolute.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            return "cannot write " + out + ": directory " + dir + " does not exist";
        }
        if (Files.isDirectory(absolute)) {
            return "cannot write " + out + ": it is a directory";
        }
        if (!Files.isWritable(dir)) {
            return "cannot write " + out + ": directory " + dir + " is not writable by this user";
        }
        return null;
    }

    /** The command's arguments, checked. */
    private record Args(String format, Set<EventKind> kinds, TimeWindow window, String serviceOption, Path in,
                        Path out) {
        boolean toStdout() {
            return out.toString().equals("-");
        }

        /** --service, else the recorded main class or jar, else OpenTelemetry's name for an unknown service. */
        String service(Profile p) {
            if (serviceOption != null) {
                return serviceOption;
            }
            return p.facts.mainClass != null ? p.facts.mainClass : "unknown_service:java";
        }

        static Args parse(List<String> args) throws ConvertException {
            String format = null;
            String events = null;
            String from = null;
            String to = null;
            String service = null;
            List<String> files = new java.util.ArrayList<>();
            for (int i = 0; i < args.size(); i++) {
                String a = args.get(i);
                if (a.startsWith("--") && i + 1 >= args.size()) {
                    throw new ConvertException(a + " needs a value");
                }
                switch (a) {
                    case "--format" -> format = args.get(++i);
                    case "--events" -> events = args.get(++i);
                    case "--from" -> from = args.get(++i);
                    case "--to" -> to = args.get(++i);
                    case "--service" -> service = args.get(++i);
                    default -> {
                        if (a.startsWith("--")) {
                            throw new ConvertException("unknown option '" + a + "'");
                        }
                        files.add(a);
                    }
                }
            }
            if (format == null) {
                throw new ConvertException("--format is required");
            }
            if (!List.of("pprof", "otlp", "collapsed").contains(format)) {
                throw new ConvertException("unknown format '" + format + "'; known: pprof, otlp, collapsed");
            }
            if (files.size() != 2) {
                throw new ConvertException("needs an input .jfr file and an output file (or -)");
            }
            if (service != null && service.isBlank()) {
                throw new ConvertException("--service needs a name");
            }
            Set<EventKind> kinds = EnumSet.noneOf(EventKind.class);
            for (String k : (events == null ? EventKind.known() : events).split(",")) {
                kinds.add(EventKind.ofOption(k.strip()));
            }
            return new Args(format, kinds, TimeWindow.of(from, to), service, Path.of(files.get(0)), Path.of(files.get(1)));
        }
    }
}
