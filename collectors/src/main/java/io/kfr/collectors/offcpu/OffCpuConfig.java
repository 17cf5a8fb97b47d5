package io.kfr.collectors.offcpu;

/**
 * Settings of the off-CPU collector.
 * @param thresholdNanos intervals at or above become individual samples; shorter ones are aggregated in the kernel
 * @param drainPeriodMillis how often aggregates and statistics are collected
 * @param ringBufferBytes size of the BPF ring buffer for individual intervals
 * @param javaFrames walk the Java stacks of the JVM's threads (the HotSpot walker)
 */
public record OffCpuConfig(long thresholdNanos, long drainPeriodMillis, int ringBufferBytes, boolean javaFrames) {
    /** See README "Choosing the off-CPU threshold" for why 1 ms. */
    public static final long DEFAULT_THRESHOLD_NANOS = 1_000_000L;
    public static final long DEFAULT_DRAIN_PERIOD_MILLIS = 1_000L;
    public static final int DEFAULT_RING_BUFFER_BYTES = 4 << 20;

    public static OffCpuConfig defaults() {
        return new OffCpuConfig(DEFAULT_THRESHOLD_NANOS, DEFAULT_DRAIN_PERIOD_MILLIS, DEFAULT_RING_BUFFER_BYTES, true);
    }

    public OffCpuConfig withThresholdNanos(long t) {
        return new OffCpuConfig(t, drainPeriodMillis, ringBufferBytes, javaFrames);
    }

    public OffCpuConfig withDrainPeriodMillis(long p) {
        return new OffCpuConfig(thresholdNanos, p, ringBufferBytes, javaFrames);
    }

    public OffCpuConfig withJavaFrames(boolean on) {
        return new OffCpuConfig(thresholdNanos, drainPeriodMillis, ringBufferBytes, on);
    }
}
