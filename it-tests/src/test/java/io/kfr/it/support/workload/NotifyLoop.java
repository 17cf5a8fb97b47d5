package io.kfr.it.support.workload;

/**
 * A monitor notify loop: thread "notifier" notifies thread "waiter" every 2 ms from WakerTruth's
 * {@code notifyWaiter} (a synchronized block around {@code notify}), for as many calls as it takes
 * a JIT to compile it (WakerTruth's 60 rounds stay interpreted). The waiter is woken at the
 * notifier's monitor exit, a leaf call from Java into libjvm: what the waker's Java walk from a
 * system call has to find (docs/unwinder-design.md §3.8).
 * Usage: NotifyLoop <seconds>.
 */
public final class NotifyLoop {
    private NotifyLoop() {
    }

    public static void main(String[] args) throws Exception {
        long end = System.nanoTime() + Long.parseLong(args[0]) * 1_000_000_000L;
        Thread waiter = new Thread(() -> {
            while (true) {
                WakerTruth.waitForSignal(null);
            }
        }, "waiter");
        waiter.setDaemon(true);
        waiter.start();
        Thread.currentThread().setName("notifier");
        while (System.nanoTime() < end) {
            Thread.sleep(2);
            WakerTruth.notifyWaiter();
        }
    }
}
