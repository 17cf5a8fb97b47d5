package io.kfr.it.support.workload;

/**
 * Three threads burn CPU on two CPUs, so the scheduler preempts them while they run Java code
 * (no Java frame anchor set). Thread burner-0 and burner-2 loop in burnA, burner-1 in burnB; both
 * call spin. Runs for the given milliseconds.
 */
public final class Burners {
    static volatile long sink;

    public static void main(String[] args) throws Exception {
        for (int i = 0; i < 3; i++) {
            boolean a = i % 2 == 0;
            Thread t = new Thread(() -> {
                if (a) {
                    burnA();
                } else {
                    burnB();
                }
            }, "burner-" + i);
            t.setDaemon(true);
            t.start();
        }
        Thread.sleep(Long.parseLong(args[0]));
    }

    static void burnA() {
        while (true) {
            sink += spin(100_000);
        }
    }

    static void burnB() {
        while (true) {
            sink += spin(70_000);
        }
    }

    static long spin(long n) {
        long x = 0;
        for (long i = 0; i < n; i++) {
            x += i * 31 ^ (x >>> 3);
        }
        return x;
    }

    private Burners() {
    }
}
