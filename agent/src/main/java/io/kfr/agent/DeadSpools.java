package io.kfr.agent;

import io.kfr.jfr.SpoolRecovery;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;

/**
 * Work directories of dead JVMs that still hold kfr events (a spool that {@code kfr recover} can
 * turn into a file). The next start keeps the newest of them for {@value #KEEP_HOURS} hours and says
 * in one line where it is, once (a marker file in the directory: the starts after it say nothing);
 * the others, and that one once older, are removed like any leftover. One is enough to recover the
 * run that just crashed, and a JVM killed again and again does not fill the disk.
 */
final class DeadSpools {
    static final int KEEP_HOURS = 24;
    private static final String ANNOUNCED = ".kfr-announced";
    private final List<Path> found = new ArrayList<>();

    /** Takes a dead JVM's directory if it holds kfr events; false: not a spool, remove it now. */
    boolean offer(Path leftover) {
        String name = leftover.getFileName().toString();
        if (!name.startsWith("kfr-session-") && !name.startsWith(".kfr-session-")) {
            return false;
        }
        try {
            for (Path segment : SpoolRecovery.segments(leftover)) {
                if (Files.size(segment) > 0) {
                    found.add(leftover);
                    return true;
                }
            }
        } catch (IOException | RuntimeException e) {
            // unreadable: not recoverable either
        }
        return false;
    }

    /** Keeps the newest spool if younger than the keep time, says where; removes the others. */
    void keepNewest() {
        Path newest = null;
        long newestTime = Long.MIN_VALUE;
        for (Path p : found) {
            long t = lastWritten(p);
            if (t > newestTime) {
                newest = p;
                newestTime = t;
            }
        }
        long keepFrom = System.currentTimeMillis() - KEEP_HOURS * 3_600_000L;
        for (Path p : found) {
            if (p == newest && newestTime >= keepFrom) {
                if (Files.exists(p.resolve(ANNOUNCED))) {
                    continue;
                }
                try {
                    Files.createFile(p.resolve(ANNOUNCED));
                } catch (IOException | RuntimeException e) {
                    // not writable: said again at the next start, which is better than never
                }
                Log.info("a JVM that ended without writing its recording (killed or crashed) left kfr's events in " + p
                        + "; 'java -jar kfr-agent.jar recover " + p + " out.jfr' makes them a file (kept "
                        + KEEP_HOURS + " h after that JVM's last write, then removed)");
            } else {
                Leftovers.deleteTree(p);
            }
        }
    }

    /** When the JVM last wrote to the directory's spool (ms). */
    private static long lastWritten(Path dir) {
        long t = Long.MIN_VALUE;
        try {
            for (Path segment : SpoolRecovery.segments(dir)) {
                FileTime m = Files.getLastModifiedTime(segment);
                t = Math.max(t, m.toMillis());
            }
        } catch (IOException | RuntimeException e) {
            // unknown: oldest
        }
        return t;
    }
}
