package io.kfr.collectors.offcpu;

/**
 * Settings of the off-CPU collector.
 * @param thresholdNanos intervals at or above become individual samples; shorter ones are aggregated in the kernel
 * @param drainPeriodMillis how often aggregates and statistics are collected
 * @param ringBufferBytes size of the BPF ring buffer for individual intervals
 * @param preemptedOneIn stacks of preempted intervals (state R) are taken for a random 1 in this many (a power of
 *        two; 1: every one). The others' time stays exact and is shared among the sampled stacks of the same thread
 *        (see {@link PreemptedShares}).
 * @param javaFrames walk the Java stacks of the JVM's threads (the HotSpot walker)
 */
public final class OffCpuConfig {
    private final long thresholdNanos;
    private final long drainPeriodMillis;
    private final int ringBufferBytes;
    private final int preemptedOneIn;
    private final boolean javaFrames;

    public OffCpuConfig(long thresholdNanos, long drainPeriodMillis, int ringBufferBytes, int preemptedOneIn,
                        boolean javaFrames) {
        if (preemptedOneIn <= 0 || Integer.bitCount(preemptedOneIn) != 1) {
            throw new IllegalArgumentException("preempted stacks 1 in " + preemptedOneIn + ": not a power of two");
        }
        this.thresholdNanos = thresholdNanos;
        this.drainPeriodMillis = drainPeriodMillis;
        this.ringBufferBytes = ringBufferBytes;
        this.preemptedOneIn = preemptedOneIn;
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

    public int preemptedOneIn() {
        return preemptedOneIn;
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
                && ringBufferBytes == o.ringBufferBytes && preemptedOneIn == o.preemptedOneIn
                && javaFrames == o.javaFrames;
    }

    @Override
    public int hashCode() {
        int h = 0;
        h = 31 * h + Long.hashCode(thresholdNanos);
        h = 31 * h + Long.hashCode(drainPeriodMillis);
        h = 31 * h + Integer.hashCode(ringBufferBytes);
        h = 31 * h + preemptedOneIn;
        h = 31 * h + Boolean.hashCode(javaFrames);
        return h;
    }

    @Override
    public String toString() {
        return "OffCpuConfig[thresholdNanos=" + thresholdNanos + ", drainPeriodMillis=" + drainPeriodMillis
                + ", ringBufferBytes=" + ringBufferBytes + ", preemptedOneIn=" + preemptedOneIn
                + ", javaFrames=" + javaFrames + "]";
    }

    /** See README "Choosing the off-CPU threshold" for why 1 ms. */
    public static final long DEFAULT_THRESHOLD_NANOS = 1_000_000L;
    public static final long DEFAULT_DRAIN_PERIOD_MILLIS = 1_000L;
    public static final int DEFAULT_RING_BUFFER_BYTES = 4 << 20;
    /** See docs/measurements.md "Sampled stacks of preemptions" for why 1 in 8. */
    public static final int DEFAULT_PREEMPTED_ONE_IN = 8;

    public static OffCpuConfig defaults() {
        return new OffCpuConfig(DEFAULT_THRESHOLD_NANOS, DEFAULT_DRAIN_PERIOD_MILLIS, DEFAULT_RING_BUFFER_BYTES,
                DEFAULT_PREEMPTED_ONE_IN, true);
    }

    public OffCpuConfig withThresholdNanos(long t) {
        return new OffCpuConfig(t, drainPeriodMillis, ringBufferBytes, preemptedOneIn, javaFrames);
    }

    public OffCpuConfig withDrainPeriodMillis(long p) {
        return new OffCpuConfig(thresholdNanos, p, ringBufferBytes, preemptedOneIn, javaFrames);
    }

    public OffCpuConfig withPreemptedOneIn(int n) {
        return new OffCpuConfig(thresholdNanos, drainPeriodMillis, ringBufferBytes, n, javaFrames);
    }

    public OffCpuConfig withJavaFrames(boolean on) {
        return new OffCpuConfig(thresholdNanos, drainPeriodMillis, ringBufferBytes, preemptedOneIn, on);
    }
}
