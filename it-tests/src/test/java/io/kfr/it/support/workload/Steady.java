package io.kfr.it.support.workload;

import java.util.concurrent.locks.LockSupport;

/**
 * A JVM to attach to: a sleeper, a parker and a light CPU burner run until the JVM is killed, or
 * until {@code args[0]} seconds have passed (then it exits with 3, mid-recording); prints READY.
 */
public final class Steady {
    private static volatile long sink;

    private Steady() {
    }

    public static void main(String[] args) throws Exception {
        daemon("steady-sleeper", () -> {
            while (true) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        daemon("steady-parker", () -> {
            while (true) {
                LockSupport.parkNanos(15_000_000L);
            }
        });
        daemon("steady-burner", () -> {
            while (true) {
                long x = 0;
                for (int i = 0; i < 2_000_000; i++) {
                    x += i * 31L ^ (x >>> 3);
                }
                sink = x;
                LockSupport.parkNanos(5_000_000L); // ~half a CPU at most
            }
        });
        System.out.println("READY");
        System.out.flush();
        Thread.sleep(Long.parseLong(args[0]) * 1000L);
        System.exit(3);
    }

    private static void daemon(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
    }
}
