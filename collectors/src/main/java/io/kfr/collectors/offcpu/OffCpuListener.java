package io.kfr.collectors.offcpu;

import io.kfr.collectors.CollectorStatistics;
import io.kfr.collectors.OffCpuSample;

/** Receives the off-CPU collector's output, on the collector's own thread. */
public interface OffCpuListener {
    void onSample(OffCpuSample sample);

    void onStatistics(CollectorStatistics statistics);

    /**
     * The collector stopped early on {@code failure} (any Throwable of its thread, an
     * OutOfMemoryError included), after it released its kernel resources; called once, on the
     * collector's thread, at that moment. Must not throw.
     */
    default void onFailure(Throwable failure) {
    }
}
