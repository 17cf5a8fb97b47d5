package io.kfr.agent.collectors.cpu;

import io.kfr.collectors.cpu.CpuConfig;

import java.util.Objects;

/**
 * The CPU sampler's options: its collector's config, and {@code cpu.executionsample} (null: decide
 * from the JVM recording, writing jdk.ExecutionSample unless the user's own recording samples).
 */
public final class CpuSettings {
    private final CpuConfig config;
    private final Boolean executionSamples;

    CpuSettings(CpuConfig config, Boolean executionSamples) {
        this.config = config;
        this.executionSamples = executionSamples;
    }

    public CpuConfig config() {
        return config;
    }

    public Boolean executionSamples() {
        return executionSamples;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof CpuSettings && config.equals(((CpuSettings) other).config)
                && Objects.equals(executionSamples, ((CpuSettings) other).executionSamples);
    }

    @Override
    public int hashCode() {
        return 31 * config.hashCode() + Objects.hashCode(executionSamples);
    }

    @Override
    public String toString() {
        return "CpuSettings[config=" + config + ", executionSamples=" + executionSamples + "]";
    }
}
