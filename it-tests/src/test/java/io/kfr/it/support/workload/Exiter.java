package io.kfr.it.support.workload;

import java.util.concurrent.locks.LockSupport;

/**
 * A JVM that ends while threads are still blocked: a sleeper and a parker keep going, main prints
 * READY, and either calls System.exit(3) after {@code args[0]} ms ("exit") or waits to be killed
 * ("wait").
 */
public final class Exiter {
    private Exiter() {
    }

    public static void main(String[] args) throws Exception {
        Thread sleeper = new Thread(() -> {
            while (true) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "exiter-sleeper");
        Thread parker = new Thread(() -> {
            while (true) {
                LockSupport.parkNanos(15_000_000L);
            }
        }, "exiter-parker");
        sleeper.setDaemon(true);
        parker.setDaemon(true);
        sleeper.start();
        parker.start();
        System.out.println("READY");
        System.out.flush();
        if (args[0].equals("exit")) {
            Thread.sleep(Long.parseLong(args[1]));
            System.exit(3);
        }
        Thread.sleep(60_000);
    }
}
