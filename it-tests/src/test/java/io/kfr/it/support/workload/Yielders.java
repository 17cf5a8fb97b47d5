package io.kfr.it.support.workload;

/**
 * Four threads on two CPUs give their CPU away with Thread.yield, three times from yieldA for every
 * once from yieldB: each yield that switches the thread out is a preempted interval (state R, the
 * thread stays runnable), and the time after a yield does not depend on where it yielded, so yieldA's
 * share of the threads' preempted time is 3/4. Runs for the given milliseconds and prints each
 * thread's yields: {@code KFR-YIELDS <thread> <from yieldA> <from yieldB>}.
 */
public final class Yielders {
    static volatile long sink;
    static volatile boolean stop;

    public static void main(String[] args) throws Exception {
        Thread[] threads = new Thread[4];
        long[][] yields = new long[threads.length][2];
        for (int i = 0; i < threads.length; i++) {
            long[] mine = yields[i];
            threads[i] = new Thread(() -> {
                while (!stop) {
                    for (int k = 0; k < 3; k++) {
                        yieldA();
                    }
                    yieldB();
                    mine[0] += 3;
                    mine[1]++;
                }
            }, "yielder-" + i);
            threads[i].start();
        }
        Thread.sleep(Long.parseLong(args[0]));
        stop = true;
        for (int i = 0; i < threads.length; i++) {
            threads[i].join();
            System.out.println("KFR-YIELDS " + threads[i].getName() + " " + yields[i][0] + " " + yields[i][1]);
        }
    }

    static void yieldA() {
        sink += Burners.spin(200);
        Thread.yield();
    }

    static void yieldB() {
        sink += Burners.spin(200);
        Thread.yield();
    }

    private Yielders() {
    }
}
