package io.kfr.collectors;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The calling thread's CPU time, from the scheduler's own account (/proc/thread-self/schedstat:
 * nanoseconds on a CPU): unlike the JDK's ThreadMXBean it brings up no management beans (~0.1 MB
 * of the application's heap) and works in a runtime linked without java.management.
 */
public final class ThreadCpuTime {
    private static final Path SCHEDSTAT = Path.of("/proc/thread-self/schedstat");

    private ThreadCpuTime() {
    }

    /** Nanoseconds the calling thread ran on a CPU, or -1 when neither source can tell. */
    public static long current() {
        try {
            String s = new String(Files.readAllBytes(SCHEDSTAT), StandardCharsets.US_ASCII);
            int end = s.indexOf(' ');
            return Long.parseLong(end < 0 ? s.trim() : s.substring(0, end));
        } catch (Exception e) {
            return fromManagement(); // a kernel without schedstat
        }
    }

    private static long fromManagement() {
        try {
            return ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        } catch (RuntimeException | LinkageError e) {
            return -1;
        }
    }
}
