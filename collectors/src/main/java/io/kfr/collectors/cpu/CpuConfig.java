package io.kfr.collectors.cpu;

/**
 * Settings of the CPU sampler.
 * @param intervalNanos sample every this much CPU time per CPU (when {@code eventCount} is 0)
 * @param eventCount sample every this many events (cycles; on cpu-clock, nanoseconds), 0 = use the interval
 * @param event "auto" (cycles where the PMU has them, else cpu-clock), "cycles" or "cpu-clock"
 * @param ringBufferBytes the samples' ring buffer
 * @param javaFrames walk the Java stacks
 */
public record CpuConfig(long intervalNanos, long eventCount, String event, int ringBufferBytes, boolean javaFrames) {
    public static final long DEFAULT_INTERVAL_NANOS = 10_000_000L;

    public static CpuConfig defaults() {
        return new CpuConfig(DEFAULT_INTERVAL_NANOS, 0, "auto", 1 << 20, true);
    }

    public CpuConfig withInterval(long nanos) {
        return new CpuConfig(nanos, 0, event, ringBufferBytes, javaFrames);
    }

    public CpuConfig withEventCount(long count) {
        return new CpuConfig(0, count, event, ringBufferBytes, javaFrames);
    }

    public CpuConfig withEvent(String e) {
        return new CpuConfig(intervalNanos, eventCount, e, ringBufferBytes, javaFrames);
    }

    public CpuConfig withJavaFrames(boolean on) {
        return new CpuConfig(intervalNanos, eventCount, event, ringBufferBytes, on);
    }
}
