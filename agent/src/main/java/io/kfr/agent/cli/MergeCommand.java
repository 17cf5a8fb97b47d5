package io.kfr.agent.cli;

import io.kfr.jfr.KeptData;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code kfr merge <jvm.jfr> <kfr-chunk-or-spool> <out.jfr>}: a kept JVM recording and kfr's data
 * in one file (a JFR file is a sequence of chunks).
 */
final class MergeCommand {
    static final String USAGE = "merge <jvm.jfr> <kfr.jfr|spool-dir> <out.jfr>";

    private MergeCommand() {
    }

    static int run(List<String> args, PrintStream out, PrintStream err) {
        if (args.size() != 3) {
            err.println("usage: java -jar kfr-agent.jar " + USAGE);
            return 2;
        }
        try {
            Path target = Path.of(args.get(2));
            long events = KeptData.merge(Path.of(args.get(0)), Path.of(args.get(1)), target);
            out.println("kfr: wrote " + target + " (" + args.get(0) + " + "
                    + (events >= 0 ? events + " kfr events from " + args.get(1) : args.get(1)) + ")");
            return 0;
        } catch (java.io.IOException | RuntimeException e) {
            err.println("kfr: cannot merge: " + e.getMessage());
            return 1;
        }
    }
}
