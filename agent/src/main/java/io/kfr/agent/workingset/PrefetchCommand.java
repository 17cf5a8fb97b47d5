package io.kfr.agent.workingset;

import io.kfr.collectors.workingset.PrefetchMethod;
import io.kfr.collectors.workingset.PrefetchNative;
import io.kfr.collectors.workingset.PrefetchPlan;
import io.kfr.collectors.workingset.PrefetchResult;
import io.kfr.collectors.workingset.Prefetcher;
import io.kfr.collectors.workingset.WorkingSet;
import io.kfr.collectors.workingset.WorkingSetFormat;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * {@code prefetch <file>} and {@code run <file> -- command...}: read a recorded working set into the
 * page cache before a program starts (the pages a JVM touches before any agent runs: libjvm, the CDS
 * archive), for a service's ExecStartPre or in front of its command.
 */
public final class PrefetchCommand {
    public static final String PREFETCH_USAGE = "prefetch <file.ws> [--method=fadvise|readahead|populate|read] [--cap=<bytes>[k|m|g]] [--quiet]";
    public static final String RUN_USAGE = "run <file.ws> [prefetch options] -- <command> [args...]";
    /** The default: starts every read at once and returns; the kernel orders them (measured, see docs). */
    public static final PrefetchMethod DEFAULT_METHOD = PrefetchMethod.FADVISE;

    private PrefetchCommand() {
    }

    static final class Options {
        private final Path file;
        private final PrefetchMethod method;
        private final long cap;
        private final boolean quiet;
        private final List<String> command;

        Options(Path file, PrefetchMethod method, long cap, boolean quiet, List<String> command) {
            this.file = file;
            this.method = method;
            this.cap = cap;
            this.quiet = quiet;
            this.command = command;
        }

        public Path file() {
            return file;
        }

        public PrefetchMethod method() {
            return method;
        }

        public long cap() {
            return cap;
        }

        public boolean quiet() {
            return quiet;
        }

        public List<String> command() {
            return command;
        }

        @Override
        public boolean equals(Object other) {
            if (this == other) {
                return true;
            }
            if (!(other instanceof Options)) {
                return false;
            }
            Options o = (Options) other;
            return Objects.equals(file, o.file) && Objects.equals(method, o.method) && cap == o.cap && quiet == o.quiet
                    && Objects.equals(command, o.command);
        }

        @Override
        public int hashCode() {
            int h = 0;
            h = 31 * h + Objects.hashCode(file);
            h = 31 * h + Objects.hashCode(method);
            h = 31 * h + Long.hashCode(cap);
            h = 31 * h + Boolean.hashCode(quiet);
            h = 31 * h + Objects.hashCode(command);
            return h;
        }

        @Override
        public String toString() {
            return "Options[file=" + file + ", method=" + method + ", cap=" + cap + ", quiet=" + quiet
                    + ", command=" + command + "]";
        }
    }

    static Options parse(List<String> args, boolean run) {
        Path file = null;
        PrefetchMethod method = DEFAULT_METHOD;
        long cap = 0;
        boolean quiet = false;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (run && a.equals("--")) {
                if (file == null || i + 1 >= args.size()) {
                    break;
                }
                return new Options(file, method, cap, quiet, List.copyOf(args.subList(i + 1, args.size())));
            } else if (a.startsWith("--method=")) {
                method = PrefetchMethod.parse(a.substring(9));
            } else if (a.startsWith("--cap=")) {
                cap = bytes(a.substring(6));
            } else if (a.equals("--quiet")) {
                quiet = true;
            } else if (a.startsWith("-") || file != null) {
                throw new IllegalArgumentException("unexpected argument '" + a + "'");
            } else {
                file = Path.of(a);
            }
        }
        if (file == null || run) {
            throw new IllegalArgumentException("usage: java -jar kfr-agent.jar " + (run ? RUN_USAGE : PREFETCH_USAGE));
        }
        return new Options(file, method, cap, quiet, List.of());
    }

    static long bytes(String s) {
        long v = io.kfr.agent.Sizes.parseBytes(s);
        if (v <= 0) {
            throw new IllegalArgumentException("--cap must be positive");
        }
        return v;
    }

    /** Prefetches o.file() as o says; the result, or null when the file cannot be read (printed to err). */
    static PrefetchResult prefetch(Options o, PrintStream out, PrintStream err) {
        WorkingSet set;
        try {
            set = WorkingSetFormat.read(o.file());
        } catch (IOException e) {
            err.println("kfr prefetch: " + e.getMessage());
            return null;
        }
        PrefetchPlan plan = PrefetchPlan.of(set, o.cap());
        PrefetchResult r = Prefetcher.run(plan, o.method());
        if (!o.quiet()) {
            out.println(r.summary() + (plan.skipped().isEmpty() ? "" : "; " + plan.skipped().size() + " changed files skipped"));
            for (String s : plan.skipped()) {
                out.println("  skipped " + s);
            }
        }
        for (String f : r.failures()) {
            err.println("kfr prefetch: " + f);
        }
        return r;
    }

    public static int prefetch(List<String> args, PrintStream out, PrintStream err) {
        Options o;
        try {
            o = parse(args, false);
        } catch (IllegalArgumentException e) {
            err.println("kfr prefetch: " + e.getMessage());
            return 2;
        }
        PrefetchResult r = prefetch(o, out, err);
        return r == null ? 1 : r.failures().isEmpty() ? 0 : 1;
    }

    /**
     * Prefetches (a missing or unreadable working set is reported, not fatal: the program starts
     * anyway), then replaces this JVM by the command (exec), so that the service manager sees the
     * program itself. Returns only when exec failed.
     */
    public static int run(List<String> args, PrintStream out, PrintStream err) {
        Options o;
        try {
            o = parse(args, true);
        } catch (IllegalArgumentException e) {
            err.println("kfr run: " + e.getMessage());
            return 2;
        }
        prefetch(o, err, err);
        String why = PrefetchNative.load();
        if (why != null) {
            err.println("kfr run: " + why);
            return 127;
        }
        int e = PrefetchNative.exec(o.command().toArray(new String[0]));
        err.println("kfr run: cannot execute " + o.command().get(0) + " (errno " + (-e) + ")");
        return 127;
    }
}
