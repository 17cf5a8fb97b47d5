package io.kfr.collectors;

/**
 * How a collector's own thread is stopped: the flag its poll loop checks, the wake-up that ends a
 * waiting poll at once (not at its timeout), and the wait for the thread to finish its last drain.
 */
public final class WorkerStop {
    private static final long STOP_WAIT_MILLIS = 5_000;
    private final Thread worker;
    private final Runnable wake;
    private volatile boolean running = true;

    /** @param wake ends the worker's waiting poll (libkfr's wake for the collector's handle) */
    public WorkerStop(Thread worker, Runnable wake) {
        this.worker = worker;
        this.wake = wake;
    }

    /** The worker's loop goes on while this holds. */
    public boolean running() {
        return running;
    }

    /** Asks the worker to finish without waiting for it: several collectors' last polls can overlap. */
    public void request() {
        running = false;
        wake.run();
    }

    /** Asks the worker to finish and waits up to 5 s for it (not when called from the worker itself). */
    public void requestAndWait() {
        request();
        if (Thread.currentThread() != worker) {
            try {
                worker.join(STOP_WAIT_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
