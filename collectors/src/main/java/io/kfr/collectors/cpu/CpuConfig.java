package io.kfr.collectors.cpu;

import java.util.Objects;

/**
 * Settings of the CPU sampler.
 * @param intervalNanos sample every this much CPU time per CPU (when {@code eventCount} is 0)
 * @param eventCount sample every this many events (cycles; on cpu-clock, nanoseconds), 0 = use the interval
 * @param event "auto" (cycles where the PMU has them, else cpu-clock), "cycles" or "cpu-clock"
 * @param ringBufferBytes the samples' ring buffer
 * @param javaFrames walk the Java stacks
 */
public final class CpuConfig {
    private final long intervalNanos;
    private final long eventCount;
    private final String event;
    private final int ringBufferBytes;
    private final boolean javaFrames;

    public CpuConfig(long intervalNanos, long eventCount, String event, int ringBufferBytes, boolean javaFrames) {
        this.intervalNanos = intervalNanos;
        this.eventCount = eventCount;
        this.event = event;
        this.ringBufferBytes = ringBufferBytes;
        this.javaFrames = javaFrames;
    }

    public long intervalNanos() {
        return intervalNanos;
    }

    public long eventCount() {
        return eventCount;
    }

    public String event() {
        return event;
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
        if (!(other instanceof CpuConfig)) {
            return false;
        }
        CpuConfig o = (CpuConfig) other;
        return intervalNanos == o.intervalNanos && eventCount == o.eventCount && Objects.equals(event, o.event)
                && ringBufferBytes == o.ringBufferBytes && javaFrames == o.javaFrames;
    }

    @Override
    public int hashCode() {
        int h = 0;
        h = 31 * h + Long.hashCode(intervalNanos);
        h = 31 * h + Long.hashCode(eventCount);
        h = 31 * h + Objects.hashCode(event);
        h = 31 * h + Integer.hashCode(ringBufferBytes);
        h = 31 * h + Boolean.hashCode(javaFrames);
        return h;
    }

    @Override
    public String toString() {
        return "CpuConfig[intervalNanos=" + intervalNanos + ", eventCount=" + eventCount + ", event=" + event
                + ", ringBufferBytes=" + ringBufferBytes + ", javaFrames=" + javaFrames + "]";
    }

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
