package io.kfr.it.support.workload;

import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Waker ground truth: in each scenario one thread waits and one known thread releases it from one
 * known method, every few milliseconds (so each wait is a long interval, above kfr's 1 ms
 * default threshold). Prints {@code KFR-WAKER <scenario> <waiter tid> <waker tid> <waker method>
 * <rounds> <release times>} per scenario (release times: epoch ns just before each release, comma
 * separated: the waiter's interval around one of them is one the waker ended), then KFR-WAKER-DONE.
 * <ul>
 *   <li>unpark: the waiter parks, the waker calls LockSupport.unpark in {@code releaseByUnpark};</li>
 *   <li>queue: the waiter takes from a BlockingQueue, the waker puts in {@code putTask};</li>
 *   <li>lock: the waiter blocks on a ReentrantLock the waker holds; the waker unlocks in
 *       {@code releaseLock};</li>
 *   <li>notify: the waiter waits on a monitor, the waker notifies in {@code notifyWaiter}.</li>
 * </ul>
 * Usage: WakerTruth [rounds] (default 60).
 */
public final class WakerTruth {
    private static final long GAP_MILLIS = 5;
    private static final List<String> RESULTS = new java.util.concurrent.CopyOnWriteArrayList<>();
    private static final long MONO_TO_EPOCH = MonoClock.monoToEpoch();
    /** Release times of the scenario running (one scenario at a time), written by its waker thread only. */
    private static final long[] RELEASES = new long[100_000];
    private static volatile int releaseCount;

    private static void released() {
        RELEASES[releaseCount] = System.nanoTime() + MONO_TO_EPOCH;
        releaseCount = releaseCount + 1; // only the waker thread writes
    }

    private WakerTruth() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 60;
        for (Runnable scenario : List.<Runnable>of(() -> unpark(rounds), () -> queue(rounds), () -> lock(rounds),
                () -> notifyScenario(rounds))) {
            scenario.run(); // one at a time: the 2 CPUs stay free for the pair under test
        }
        RESULTS.forEach(System.out::println);
        System.out.println("KFR-WAKER-DONE");
    }

    // ---- unpark ----
    private static volatile boolean released;

    private static void unpark(int rounds) {
        int[] tids = new int[2];
        Thread waiter = new Thread(() -> {
            tids[0] = GroundTruth.tid();
            for (int i = 0; i < rounds; i++) {
                parkUntilReleased();
            }
        }, "waker-truth-parked");
        Thread waker = new Thread(() -> {
            tids[1] = GroundTruth.tid();
            for (int i = 0; i < rounds; i++) {
                sleep(GAP_MILLIS);
                released();
                releaseByUnpark(waiter);
                while (released) {
                    Thread.onSpinWait(); // until the waiter took it
                }
            }
        }, "waker-truth-unparker");
        runPair(waiter, waker, tids, "unpark", "releaseByUnpark", rounds);
    }

    private static void parkUntilReleased() {
        while (!released) {
            LockSupport.park();
        }
        released = false;
    }

    private static void releaseByUnpark(Thread waiter) {
        released = true;
        LockSupport.unpark(waiter);
    }

    // ---- queue ----
    private static void queue(int rounds) {
        BlockingQueue<Integer> q = new ArrayBlockingQueue<>(16);
        int[] tids = new int[2];
        Thread waiter = new Thread(() -> {
            tids[0] = GroundTruth.tid();
            for (int i = 0; i < rounds; i++) {
                takeTask(q);
            }
        }, "waker-truth-consumer");
        Thread waker = new Thread(() -> {
            tids[1] = GroundTruth.tid();
            for (int i = 0; i < rounds; i++) {
                sleep(GAP_MILLIS);
                released();
                putTask(q, i);
            }
        }, "waker-truth-producer");
        runPair(waiter, waker, tids, "queue", "putTask", rounds);
    }

    private static int takeTask(BlockingQueue<Integer> q) {
        try {
            return q.take();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void putTask(BlockingQueue<Integer> q, int task) {
        try {
            q.put(task);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- lock ----
    private static final ReentrantLock LOCK = new ReentrantLock();
    private static volatile int held = -1;

    private static void lock(int rounds) {
        int[] tids = new int[2];
        Thread waiter = new Thread(() -> {
            tids[0] = GroundTruth.tid();
            for (int i = 0; i < rounds; i++) {
                while (held < i) {
                    Thread.onSpinWait();
                }
                acquireLock();
            }
        }, "waker-truth-locker");
        Thread waker = new Thread(() -> {
            tids[1] = GroundTruth.tid();
            for (int i = 0; i < rounds; i++) {
                LOCK.lock();
                held = i;
                while (!LOCK.hasQueuedThreads()) {
                    Thread.onSpinWait(); // until the waiter is queued on the lock
                }
                sleep(GAP_MILLIS); // the waiter is blocked on the lock meanwhile
                released();
                releaseLock();
                while (acquired <= i) {
                    Thread.onSpinWait(); // until the waiter got and released it
                }
            }
        }, "waker-truth-holder");
        runPair(waiter, waker, tids, "lock", "releaseLock", rounds);
    }

    private static volatile int acquired;

    private static void acquireLock() {
        LOCK.lock();
        try {
            acquired++;
        } finally {
            LOCK.unlock();
        }
    }

    private static void releaseLock() {
        LOCK.unlock();
    }

    // ---- notify ----
    private static final Object MONITOR = new Object();
    private static int signals;

    private static void notifyScenario(int rounds) {
        int[] tids = new int[2];
        CountDownLatch waiting = new CountDownLatch(1);
        Thread waiter = new Thread(() -> {
            tids[0] = GroundTruth.tid();
            for (int i = 0; i < rounds; i++) {
                waitForSignal(i == 0 ? waiting : null);
            }
        }, "waker-truth-waiter");
        Thread waker = new Thread(() -> {
            tids[1] = GroundTruth.tid();
            await(waiting);
            for (int i = 0; i < rounds; i++) {
                sleep(GAP_MILLIS);
                released();
                notifyWaiter();
            }
        }, "waker-truth-notifier");
        runPair(waiter, waker, tids, "notify", "notifyWaiter", rounds);
    }

    /** Waits for one notify (counting down first, if given, once the monitor is held). */
    static void waitForSignal(CountDownLatch first) {
        synchronized (MONITOR) {
            if (first != null) {
                first.countDown();
            }
            while (signals == 0) {
                try {
                    MONITOR.wait();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
            signals--;
        }
    }

    static void notifyWaiter() {
        synchronized (MONITOR) {
            signals++;
            MONITOR.notify();
        }
    }

    // ---- helpers ----
    private static void runPair(Thread waiter, Thread waker, int[] tids, String scenario, String method, int rounds) {
        releaseCount = 0;
        waiter.start();
        waker.start();
        try {
            waiter.join();
            waker.join();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        StringBuilder times = new StringBuilder();
        for (int i = 0; i < releaseCount; i++) {
            times.append(i == 0 ? "" : ",").append(RELEASES[i]);
        }
        RESULTS.add(String.format("KFR-WAKER %s %d %d %s %d %s", scenario, tids[0], tids[1], method, rounds, times));
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
