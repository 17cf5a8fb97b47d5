package io.kfr.collectors;

import java.nio.file.Files;
import java.nio.file.Path;

/** Linux thread ids, which Java does not expose. */
public final class Tids {
    private Tids() {
    }

    /**
     * This process's id (as ProcessHandle.current().pid() gives it), read from /proc/self: the
     * first ProcessHandle brings up its reaper's executor classes, ~8 ms of premain.
     */
    public static long process() {
        try {
            return Long.parseLong(Files.readSymbolicLink(Path.of("/proc/self")).getFileName().toString());
        } catch (Exception e) {
            return ProcessHandle.current().pid();
        }
    }

    /** The calling thread's Linux tid (from /proc/thread-self), or -1 when it cannot be read. */
    public static int current() {
        try {
            return Integer.parseInt(Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString());
        } catch (Exception e) {
            return -1;
        }
    }
}
