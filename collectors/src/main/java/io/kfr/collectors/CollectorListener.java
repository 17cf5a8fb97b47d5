package io.kfr.collectors;

/** What every collector tells its listener, on the collector's own thread (samples: see each collector's). */
public interface CollectorListener {
    /** Periodically and once more at stop (final: after everything was delivered). */
    void onStatistics(CollectorStatistics statistics);

    /** The statistics at stop, after everything was delivered: nothing follows. */
    default void onLastStatistics(CollectorStatistics statistics) {
        onStatistics(statistics);
    }

    /**
     * The collector stopped early on {@code failure} (any Throwable of its thread, an
     * OutOfMemoryError included), after it released its kernel resources; called once, on the
     * collector's thread, at that moment. Must not throw.
     */
    default void onFailure(Throwable failure) {
    }
}
