package io.kfr.collectors.offcpu;

import io.kfr.collectors.CollectorStatistics;
import io.kfr.collectors.OffCpuSample;

/** Receives the off-CPU collector's output, on the collector's own thread. */
public interface OffCpuListener {
    void onSample(OffCpuSample sample);

    void onStatistics(CollectorStatistics statistics);
}
