package io.kfr.collectors;

import io.kfr.collectors.natives.KfrNative;
import io.kfr.collectors.threads.ThreadDirectory;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;

/**
 * The thread of one collector and its loop: poll, once per period the collector's period work and
 * statistics; at stop detach, deliver what the kernel still holds, the final statistics; then
 * release, whatever happened. A failure of any kind (an OutOfMemoryError included) stops the
 * loop, the kernel side is released, and the listener is told ({@link FailureReport}); nothing
 * escapes to the JVM's uncaught-exception handler.
 * <p>
 * The thread starts first and waits, blocked, until its collector is ready; with {@link #park} a
 * collector that excludes its own thread in the kernel knows the tid before it attaches, and the
 * thread has been off the CPU since before then.
 */
public final class CollectorWorker implements RunningCollector {
    private static final int POLL_MILLIS = 100;
    private static final long PARK_WAIT_MILLIS = 1_000;
    /**
     * How long a stop waits for the collector's last delivery: at least the first, then on while
     * records still arrive (a slow JVM, e.g. -Xint, may take longer to name a large final drain),
     * never beyond the second, so that the JVM's exit is never held up for long.
     */
    private static final long STOP_WAIT_MILLIS = 5_000;
    private static final long STOP_WAIT_WHILE_DELIVERING_MILLIS = 30_000;

    private final Thread thread;
    private final CountDownLatch tidKnown = new CountDownLatch(1);
    private final CompletableFuture<Runnable> ready = new CompletableFuture<>();
    private volatile int tid = -1;
    private volatile boolean running = true;
    private volatile Collector collector;
    private volatile Throwable failure;
    /** Records delivered so far; a stop keeps waiting while this grows. */
    private volatile long delivered;
    /**
     * Detached from the kernel and delivering its last period: bounded work that shows no records
     * for seconds at a time (the sums are named and handed over in one go, slowly under -Xint or a
     * loaded machine), so a stop waits for it up to its bound instead of taking it for stuck.
     */
    private volatile boolean finishing;

    private CollectorWorker(String threadName) {
        FailureReport.load(); // loading a class needs heap, which may be full when it is needed
        thread = new Thread(this::firstSteps, threadName);
        thread.setDaemon(true);
    }

    /**
     * Starts the collector thread and returns once it is blocked waiting for {@link #run} or
     * {@link #abort}, with its {@link #tid} known: for a collector that excludes its own thread.
     */
    public static CollectorWorker park(String threadName) {
        CollectorWorker w = new CollectorWorker(threadName);
        w.thread.start();
        w.awaitParked();
        return w;
    }

    /** Starts the collector thread, which waits for {@link #run} or {@link #abort}; returns at once. */
    public static CollectorWorker start(String threadName) {
        CollectorWorker w = new CollectorWorker(threadName);
        w.thread.start();
        return w;
    }

    /** Linux tid of the collector thread, or ≤ 0 if it could not be read (known after {@link #park}). */
    public int tid() {
        return tid;
    }

    /**
     * Runs {@code c} on the waiting thread. Threads started from now on are named by the JVM
     * (JVMTI) in {@code threads}, whichever collector sees them first.
     */
    public void run(Collector c, CollectorListener listener, ThreadDirectory threads) {
        Consumer<Throwable> failureSink = listener::onFailure; // made now: there may be no heap for it later
        threads.setStartedThreadIdentities(KfrNative::javaThreadIdentity);
        collector = c;
        ready.complete(() -> loop(c, listener, failureSink));
    }

    /** The collector did not start: the waiting thread ends. */
    public void abort() {
        ready.complete(null);
    }

    @Override
    public void requestStop() {
        running = false;
        Collector c = collector;
        if (c != null) {
            c.wake();
        }
    }

    @Override
    public void close() {
        requestStop();
        if (Thread.currentThread() != thread) {
            try {
                thread.join(STOP_WAIT_MILLIS);
                long deadline = System.nanoTime() + (STOP_WAIT_WHILE_DELIVERING_MILLIS - STOP_WAIT_MILLIS) * 1_000_000L;
                long seen = delivered;
                while (thread.isAlive() && System.nanoTime() - deadline < 0) {
                    thread.join(2_000);
                    if (delivered == seen && !finishing) {
                        break; // no record in two seconds while still attached: stuck, not slow
                    }
                    seen = delivered;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public Throwable failure() {
        return failure;
    }

    private void firstSteps() {
        tid = Tids.current();
        tidKnown.countDown();
        Runnable work = ready.join();
        if (work != null) {
            work.run(); // catches everything: the JVM's handler prints nothing for kfr
        }
    }

    /** Until the thread is blocked waiting (or at most 1 s). */
    private void awaitParked() {
        boolean interrupted = false;
        long deadline = System.nanoTime() + PARK_WAIT_MILLIS * 1_000_000L;
        while (true) {
            try {
                tidKnown.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        while (thread.getState() != Thread.State.WAITING && System.nanoTime() - deadline < 0) {
            Thread.onSpinWait();
            Thread.yield();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void loop(Collector c, CollectorListener listener, Consumer<Throwable> failureSink) {
        Throwable failed = null;
        try {
            c.start();
            long period = c.periodNanos();
            long next = System.nanoTime() + period;
            while (running) {
                delivered += c.poll(POLL_MILLIS);
                if (System.nanoTime() - next >= 0) {
                    c.period(false);
                    listener.onStatistics(statistics(c));
                    next += period;
                }
            }
            // Detach first: from then on the kernel's counters are final. Then deliver all that is
            // still in the kernel, then the statistics.
            c.stop();
            finishing = true;
            int n;
            while ((n = c.poll(0)) > 0) {
                delivered += n; // flush what the ring buffer still holds
            }
            c.period(true);
            listener.onLastStatistics(statistics(c));
        } catch (Throwable t) {
            failed = t;
        } finally {
            // each step on its own: with the heap full (OutOfMemoryError) any of them may fail, and
            // the kernel side must be released whatever happens
            try {
                c.closeHandle();
            } catch (Throwable t) {
                failed = failed == null ? t : failed;
            }
            try {
                c.release(); // its caches may be what filled the heap: they go before the failure is said
            } catch (Throwable t) {
                failed = failed == null ? t : failed;
            }
        }
        if (failed != null) {
            failure = failed;
            FailureReport.tell(failureSink, failed);
        }
    }

    /** The collector's counters, its thread's CPU time, now (collector thread only). */
    private static CollectorStatistics statistics(Collector c) {
        CollectorStatistics.Builder b = CollectorStatistics.builder(c.name());
        c.statistics(b);
        b.put(CollectorCounters.COLLECTOR_CPU_TIME, ThreadCpuTime.current());
        return b.build();
    }
}
