package io.kfr.collectors.pt;

/**
 * JIT code that can be freed: PtSidebandJvmTest loads this class in a loader of its own, runs it
 * until C2 compiled its loop, drops the loader and collects it, which unloads the class and frees
 * its nmethods. A loop without calls (work is inlined), so that its code holds no inline cache
 * HotSpot would patch. Static state only: the test reaches it by reflection.
 */
public final class PtSidebandUnloadable implements Runnable {
    public static volatile boolean stop;
    public static volatile long sink;
    /** The spinning thread's Linux tid, once it runs. */
    public static volatile int tid;

    static long work(long s, int n) {
        for (int i = 0; i < n; i++) {
            s += (i * 31L) ^ (s >>> 3);
        }
        return s;
    }

    @Override
    public void run() {
        try {
            tid = Integer.parseInt(java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/thread-self"))
                    .getFileName().toString());
        } catch (java.io.IOException e) {
            tid = -1;
        }
        long s = 0;
        while (!stop) {
            s = work(s, 1000);
        }
        sink = s;
    }
}
