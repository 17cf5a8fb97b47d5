package io.kfr.agent;

/** kfr's voice in the profiled JVM: one line per message on stderr, prefixed "kfr: ". Never throws. */
public final class Log {
    private static volatile boolean quiet;

    private Log() {
    }

    public static void quiet(boolean q) {
        quiet = q;
    }

    public static void error(String oneLine) {
        print(oneLine);
    }

    /** Like {@link #error}, but says whether the line went out (it may not, with the heap full). */
    public static boolean tryError(String oneLine) {
        try {
            System.err.println("kfr: " + oneLine.replace('\n', ' '));
            return true;
        } catch (Throwable t) {
            return false;
        }
    }

    public static void info(String oneLine) {
        if (!quiet) {
            print(oneLine);
        }
    }

    private static void print(String line) {
        try {
            System.err.println("kfr: " + line.replace('\n', ' '));
        } catch (Throwable ignored) {
            // stderr closed: nothing sensible left to do
        }
    }
}
