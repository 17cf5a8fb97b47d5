package io.kfr.agent.workingset;

import io.kfr.agent.Durations;
import io.kfr.agent.OptionException;
import io.kfr.collectors.Clocks;
import io.kfr.collectors.CollectorException;
import io.kfr.collectors.workingset.RecordedFile;
import io.kfr.collectors.workingset.WorkingSet;
import io.kfr.collectors.workingset.WorkingSetFormat;
import io.kfr.collectors.workingset.WorkingSetRecorder;
import io.kfr.collectors.workingset.WorkingSetRecords;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * {@code workingset record <file.ws> [--window=30s] [--until=<regex>] -- command...}: starts the
 * command and records its working set from its first instruction (a JVM's libjvm and CDS archive
 * included, which an agent sees only after they were read), for the window, until a line of its
 * output matches the regex (its "ready" line; the output is copied through), or until it ends; saves
 * the set and waits for the command. The command first waits on its stdin for the programs to be attached, so
 * that nothing it reads is missed; it then finds its stdin at end of file.
 */
public final class RecordCommand {
    public static final String USAGE = "workingset record <file.ws> [--window=30s] [--until=<regex>] -- <command> [args...]";
    static final long DEFAULT_WINDOW_NS = 30_000_000_000L;

    private RecordCommand() {
    }

    /** Copies the command's output to out, line by line; counts ready down at the first line that matches. */
    private static void copyUntil(Process p, java.util.regex.Pattern until, PrintStream out, java.util.concurrent.CountDownLatch ready) {
        Thread t = new Thread(() -> {
            try (java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(),
                    java.nio.charset.StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    out.println(line);
                    out.flush();
                    if (until.matcher(line).find()) {
                        ready.countDown();
                    }
                }
            } catch (IOException e) {
                // the command closed its output
            }
        }, "kfr-record-output");
        t.setDaemon(true);
        t.start();
    }

    public static int run(List<String> args, PrintStream out, PrintStream err) {
        Path file = null;
        long window = DEFAULT_WINDOW_NS;
        List<String> command = null;
        java.util.regex.Pattern until = null;
        try {
            for (int i = 0; i < args.size(); i++) {
                String a = args.get(i);
                if (a.equals("--")) {
                    command = List.copyOf(args.subList(i + 1, args.size()));
                    break;
                } else if (a.startsWith("--window=")) {
                    window = Durations.parseNanos("--window", a.substring(9));
                } else if (a.startsWith("--until=")) {
                    until = java.util.regex.Pattern.compile(a.substring(8));
                } else if (file == null && !a.startsWith("-")) {
                    file = Path.of(a);
                } else {
                    throw new IllegalArgumentException("unexpected argument '" + a + "'");
                }
            }
            if (file == null || command == null || command.isEmpty()) {
                throw new IllegalArgumentException("usage: java -jar kfr-agent.jar " + USAGE);
            }
        } catch (IllegalArgumentException | OptionException e) { // PatternSyntaxException included
            err.println("kfr workingset record: " + e.getMessage());
            return 2;
        }
        long startEpochNanos = Clocks.nowEpochNanos(); // files modified since are the command's own output
        try (WorkingSetRecorder recorder = WorkingSetRecorder.start(0)) {
            List<String> gated = new ArrayList<>(List.of("/bin/sh", "-c", "read _ _; exec \"$@\"", "kfr-record"));
            gated.addAll(command);
            Process p = new ProcessBuilder(gated).redirectOutput(until != null ? ProcessBuilder.Redirect.PIPE : ProcessBuilder.Redirect.INHERIT)
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            recorder.target(p.pid());
            java.util.concurrent.CountDownLatch ready = new java.util.concurrent.CountDownLatch(1);
            if (until != null) {
                copyUntil(p, until, out, ready);
            }
            try (OutputStream go = p.getOutputStream()) {
                go.write('\n');
            }
            long end = System.nanoTime() + window;
            while (p.isAlive() && System.nanoTime() < end && ready.getCount() > 0) {
                recorder.poll(100, null);
            }
            List<RecordedFile> files = recorder.files();
            WorkingSet set = new WorkingSet(System.currentTimeMillis(), files.stream().map(RecordedFile::set).collect(Collectors.toList()))
                    .withoutOwnOutput(startEpochNanos, p.pid());
            WorkingSetFormat.write(set, file);
            long[] c = recorder.counters();
            err.printf("kfr workingset: %d files, %.1f MB (%.1f MB read from disk) -> %s%s%n", set.files().size(), set.bytes() / 1048576.0,
                    files.stream().mapToLong(RecordedFile::missedPages).sum() * 4096 / 1048576.0, file,
                    c[WorkingSetRecords.CNT_RB_FULL] + c[WorkingSetRecords.CNT_CHUNK_FULL] > 0 ? " (some events lost)" : "");
            recorder.close();
            return p.waitFor();
        } catch (CollectorException | IOException e) {
            err.println("kfr workingset record: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }
}
