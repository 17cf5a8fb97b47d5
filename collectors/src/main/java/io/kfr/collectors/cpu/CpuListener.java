package io.kfr.collectors.cpu;

import io.kfr.collectors.CollectorStatistics;
import io.kfr.collectors.CpuSample;

/** Receives the CPU sampler's output on its thread. */
public interface CpuListener {
    void onSample(CpuSample sample);

    void onStatistics(CollectorStatistics statistics);
}
