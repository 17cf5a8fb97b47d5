package io.kfr.agent.cli;

import io.kfr.jfr.KeptData;
import io.kfr.jfr.SpoolRecovery;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/** {@code kfr recover <spool-dir> <out.jfr>}: a JVM killed without its shutdown hooks left kfr's spool; this makes it a file. */
final class RecoverCommand {
    static final String USAGE = "recover <spool-dir> <out.jfr>";

    private RecoverCommand() {
    }

    static int run(List<String> args, PrintStream out, PrintStream err) {
        if (args.size() != 2) {
            err.println("usage: java -jar kfr-agent.jar " + USAGE
                    + "\n  <spool-dir>: the kfr-session-<pid>-... directory a killed JVM left (kfr names it when it starts next)");
            return 2;
        }
        try {
            Path dir = Path.of(args.get(0));
            Path target = Path.of(args.get(1));
            SpoolRecovery.Result r = KeptData.recover(dir, target);
            out.println("kfr: wrote " + target + " (" + r.events + " kfr events from " + r.segments + " spool segment"
                    + (r.segments == 1 ? "" : "s") + (r.bytesCut > 0 ? "; " + r.bytesCut + " bytes cut by the kill left out" : "")
                    + "); the JVM's own recording was not written by the killed JVM");
            return 0;
        } catch (java.io.IOException | RuntimeException e) {
            err.println("kfr: cannot recover: " + e.getMessage());
            return 1;
        }
    }
}
