package io.kfr.collectors;

/**
 * What one collector does, driven by its {@link CollectorWorker} on the collector's own thread:
 * the worker owns the thread, the loop, the wake-up, the stop, the failure handling and the
 * statistics' time and thread CPU time; the collector reads its kernel side and names what it
 * reads. Calls come in this order: {@link #start}, then {@link #poll} repeatedly with
 * {@link #period} and {@link #statistics} once per period, then {@link #stop}, {@link #poll}
 * until empty, {@link #period}(true) and the final {@link #statistics}; {@link #closeHandle} and
 * {@link #release} always, even after a failure.
 */
public interface Collector {
    /** The name its statistics carry ("offcpu", "cpu"). */
    String name();

    /** How often {@link #period} and the statistics come. */
    long periodNanos();

    /** Before the first poll, on the collector's thread (e.g. loading symbol tables off the JVM's start-up path). */
    void start();

    /** Waits up to {@code timeoutMillis} for records, delivers them; the number delivered. */
    int poll(int timeoutMillis);

    /** Once per period, after a poll; {@code last}: once more after the stop, when nothing arrives anymore. */
    default void period(boolean last) {
    }

    /** Detaches from the kernel: from then on its counters are final. */
    void stop();

    /** Puts the current values of the collector's counters into {@code into}. */
    void statistics(CollectorStatistics.Builder into);

    /** Ends a waiting {@link #poll} at once; from any thread. */
    void wake();

    /** Releases the kernel side (programs, perf events, maps). */
    void closeHandle();

    /** Gives back buffers and caches; after {@link #closeHandle}, nothing writes into them. */
    void release();
}
