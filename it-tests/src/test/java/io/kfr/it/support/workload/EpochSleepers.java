package io.kfr.it.support.workload;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.Selector;
import java.util.concurrent.locks.LockSupport;

/**
 * Threads whose blocking points are known, for the stack epochs: "epoch-selector" waits 20 ms at a
 * time in Selector.select (epoll_wait), "epoch-parker" parks 20 ms at a time (futex), both for the
 * given seconds; "epoch-long" sleeps once for the whole run. Prints "EPOCH-SLEEPERS-DONE".
 */
public final class EpochSleepers {
    private EpochSleepers() {
    }

    public static void main(String[] args) throws InterruptedException {
        long until = System.nanoTime() + (long) (Double.parseDouble(args[0]) * 1e9);
        Thread selector = new Thread(() -> {
            try (Selector s = Selector.open()) {
                while (System.nanoTime() < until) {
                    s.select(20);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, "epoch-selector");
        Thread parker = new Thread(() -> {
            while (System.nanoTime() < until) {
                LockSupport.parkNanos(20_000_000L);
            }
        }, "epoch-parker");
        Thread longSleeper = new Thread(() -> {
            try {
                Thread.sleep(Math.max(1, (until - System.nanoTime()) / 1_000_000L));
            } catch (InterruptedException e) {
                // ends the same way
            }
        }, "epoch-long");
        selector.start();
        parker.start();
        longSleeper.start();
        selector.join();
        parker.join();
        longSleeper.join();
        System.out.println("EPOCH-SLEEPERS-DONE");
    }
}
