package io.kfr.agent.workingset;

import io.kfr.agent.Durations;
import io.kfr.agent.OptionException;
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

/**
 * {@code workingset record <file.ws> [--window=30s] -- command...}: starts the command and records
 * its working set from its first instruction (a JVM's libjvm and CDS archive included, which an
 * agent sees only after they were read), for the window or until the command ends; saves the set and
 * waits for the command. The command first waits on its stdin for the programs to be attached, so
 * that nothing it reads is missed; it then finds its stdin at end of file.
 */
public final class RecordCommand {
    public static final String USAGE = "workingset record <file.ws> [--window=30s] -- <command> [args...]";
    static final long DEFAULT_WINDOW_NS = 30_000_000_000L;

    private RecordCommand() {
    }

    public static int run(List<String> args, PrintStream out, PrintStream err) {
        Path file = null;
        long window = DEFAULT_WINDOW_NS;
        List<String> command = null;
        try {
            for (int i = 0; i < args.size(); i++) {
                String a = args.get(i);
                if (a.equals("--")) {
                    command = List.copyOf(args.subList(i + 1, args.size()));
                    break;
                } else if (a.startsWith("--window=")) {
                    window = Durations.parseNanos("--window", a.substring(9));
                } else if (file == null && !a.startsWith("-")) {
                    file = Path.of(a);
                } else {
                    throw new IllegalArgumentException("unexpected argument '" + a + "'");
                }
            }
            if (file == null || command == null || command.isEmpty()) {
                throw new IllegalArgumentException("usage: java -jar kfr-agent.jar " + USAGE);
            }
        } catch (IllegalArgumentException | OptionException e) {
            err.println("kfr workingset record: " + e.getMessage());
            return 2;
        }
        try (WorkingSetRecorder recorder = WorkingSetRecorder.start(0)) {
            List<String> gated = new ArrayList<>(List.of("/bin/sh", "-c", "read _ _; exec \"$@\"", "kfr-record"));
            gated.addAll(command);
            Process p = new ProcessBuilder(gated).redirectOutput(ProcessBuilder.Redirect.INHERIT)
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            recorder.target(p.pid());
            try (OutputStream go = p.getOutputStream()) {
                go.write('\n');
            }
            long end = System.nanoTime() + window;
            while (p.isAlive() && System.nanoTime() < end) {
                recorder.poll(100, null);
            }
            List<RecordedFile> files = recorder.files();
            WorkingSet set = new WorkingSet(System.currentTimeMillis(), files.stream().map(RecordedFile::set).toList());
            WorkingSetFormat.write(set, file);
            long[] c = recorder.counters();
            err.printf("kfr workingset: %d files, %.1f MB (%.1f MB read from disk) -> %s%s%n", files.size(), set.bytes() / 1048576.0,
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
