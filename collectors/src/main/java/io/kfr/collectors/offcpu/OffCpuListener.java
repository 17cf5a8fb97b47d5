package io.kfr.collectors.offcpu;

import io.kfr.collectors.CollectorListener;
import io.kfr.collectors.OffCpuSample;

/** Receives the off-CPU collector's output, on the collector's own thread. */
public interface OffCpuListener extends CollectorListener {
    void onSample(OffCpuSample sample);
}
