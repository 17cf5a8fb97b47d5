package io.kfr.it.support.workload;

/**
 * A CPU-bound benchmark for the sampler's overhead: two threads hash numbers as fast as they can;
 * after warm-up seconds, prints "CPUBOUND <operations per second>" over the measured seconds.
 */
public final class CpuBound {
    static volatile long sink;
    static volatile boolean measuring;
    static volatile boolean running = true;

    public static void main(String[] args) throws Exception {
        double warmup = Double.parseDouble(args[0]);
        double measure = Double.parseDouble(args[1]);
        long[] counts = new long[2];
        Thread[] threads = new Thread[2];
        for (int t = 0; t < threads.length; t++) {
            int id = t;
            threads[t] = new Thread(() -> {
                long x = id, n = 0;
                while (running) {
                    for (int i = 0; i < 10_000; i++) {
                        x = x * 0x9E3779B97F4A7C15L + i ^ (x >>> 29);
                    }
                    if (measuring) {
                        n++;
                    }
                }
                sink = x;
                counts[id] = n;
            }, "cpubound-" + t);
            threads[t].start();
        }
        Thread.sleep((long) (warmup * 1000));
        measuring = true;
        Thread.sleep((long) (measure * 1000));
        measuring = false;
        running = false;
        for (Thread t : threads) {
            t.join();
        }
        System.out.printf("CPUBOUND %.0f%n", (counts[0] + counts[1]) / measure);
    }

    private CpuBound() {
    }
}
