package io.kfr.collectors.cpu;

import io.kfr.collectors.CollectorListener;
import io.kfr.collectors.CpuSample;

/** Receives the CPU sampler's output on its thread. */
public interface CpuListener extends CollectorListener {
    void onSample(CpuSample sample);
}
