package io.kfr.collectors.workingset;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** MemAvailable of /proc/meminfo: what the kernel estimates it can give without swapping. */
public final class MemoryAvailable {
    private MemoryAvailable() {
    }

    /** Bytes, or -1 when /proc/meminfo cannot tell. */
    public static long bytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemAvailable:")) {
                    String[] f = line.trim().split("\\s+");
                    return Long.parseLong(f[1]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
