package io.kfr.it.support.workload;

import java.util.concurrent.locks.LockSupport;

/**
 * A service that never settles: short-lived threads come and go (each sleeps and parks 1-2 ms a
 * few dozen times under a name of its own), plus two steady sleepers; prints READY, runs
 * {@code args[0]} seconds, then exits normally.
 */
public final class Churn {
    private Churn() {
    }

    public static void main(String[] args) throws Exception {
        long end = System.nanoTime() + Long.parseLong(args[0]) * 1_000_000_000L;
        for (int s = 0; s < 2; s++) {
            Thread t = new Thread(() -> {
                while (true) {
                    try {
                        Thread.sleep(2);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "churn-steady-" + s);
            t.setDaemon(true);
            t.start();
        }
        System.out.println("READY");
        System.out.flush();
        long n = 0;
        while (System.nanoTime() < end) {
            Thread[] batch = new Thread[4];
            for (int i = 0; i < batch.length; i++) {
                batch[i] = new Thread(() -> {
                    for (int k = 0; k < 40; k++) {
                        if (k % 2 == 0) {
                            LockSupport.parkNanos(1_500_000L);
                        } else {
                            try {
                                Thread.sleep(1);
                            } catch (InterruptedException e) {
                                return;
                            }
                        }
                    }
                }, "churn-" + n++);
                batch[i].start();
            }
            for (Thread t : batch) {
                t.join();
            }
        }
        System.out.println("WORKLOAD-DONE");
    }
}
