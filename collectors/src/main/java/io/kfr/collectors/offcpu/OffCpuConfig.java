package io.kfr.collectors.offcpu;

/**
 * Settings of the off-CPU collector.
 * @param thresholdNanos intervals at or above become individual samples; shorter ones are aggregated in the kernel
 * @param drainPeriodMillis how often aggregates and statistics are collected
 * @param ringBufferBytes size of the BPF ring buffer for individual intervals
 * @param javaFrames walk the Java stacks of the JVM's threads (the HotSpot walker)
 */
public final class OffCpuConfig {
    private final long thresholdNanos;
    private final long drainPeriodMillis;
    private final int ringBufferBytes;
    private final boolean javaFrames;

    public OffCpuConfig(long thresholdNanos, long drainPeriodMillis, int ringBufferBytes, boolean javaFrames) {
        this.thresholdNanos = thresholdNanos;
        this.drainPeriodMillis = drainPeriodMillis;
        this.ringBufferBytes = ringBufferBytes;
        this.javaFrames = javaFrames;
    }

    public long thresholdNanos() {
        return thresholdNanos;
    }

    public long drainPeriodMillis() {
        return drainPeriodMillis;
    }

    public int ringBufferBytes() {
        return ringBufferBytes;
    }

    public boolean javaFrames() {
        return javaFrames;
    }

    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof OffCpuConfig)) {
            return false;
        }
        OffCpuConfig o = (OffCpuConfig) other;
        return thresholdNanos == o.thresholdNanos && drainPeriodMillis == o.drainPeriodMillis
                && ringBufferBytes == o.ringBufferBytes && javaFrames == o.javaFrames;
    }

    @Override
    public int hashCode() {
        int h = 0;
        h = 31 * h + Long.hashCode(thresholdNanos);
        h = 31 * h + Long.hashCode(drainPeriodMillis);
        h = 31 * h + Integer.hashCode(ringBufferBytes);
        h = 31 * h + Boolean.hashCode(javaFrames);
        return h;
    }

    @Override
    public String toString() {
        return "OffCpuConfig[thresholdNanos=" + thresholdNanos + ", drainPeriodMillis=" + drainPeriodMillis
                + ", ringBufferBytes=" + ringBufferBytes + ", javaFrames=" + javaFrames + "]";
    }

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
