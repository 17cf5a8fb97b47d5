package io.kfr.collectors.cpu;

import io.kfr.collectors.CollectorStatistics;
import io.kfr.collectors.CpuSample;

/** Receives the CPU sampler's output on its thread. */
public interface CpuListener {
    void onSample(CpuSample sample);

    void onStatistics(CollectorStatistics statistics);

    /**
     * The collector stopped early on {@code failure} (any Throwable of its thread, an
     * OutOfMemoryError included), after it released its kernel resources; called once, on the
     * collector's thread, at that moment. Must not throw.
     */
    default void onFailure(Throwable failure) {
    }
}
