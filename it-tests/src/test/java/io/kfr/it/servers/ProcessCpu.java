package io.kfr.it.servers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A process's CPU time (user + system, all its threads) from /proc/&lt;pid&gt;/stat. */
final class ProcessCpu {
    /** USER_HZ: the unit of utime/stime; 100 on every Linux this runs on. */
    private static final double TICK_SECONDS = 0.01;

    private ProcessCpu() {
    }

    static double seconds(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
        // the command name may hold spaces and parentheses: fields count from the last ')'
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * TICK_SECONDS;
    }
}
