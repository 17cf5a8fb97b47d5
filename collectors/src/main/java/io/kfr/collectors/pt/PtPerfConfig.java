package io.kfr.collectors.pt;

import java.util.Objects;

/**
 * The PT collector's settings: AUX ring bytes per thread, whether to trace only the JIT code heap,
 * how often to snapshot every thread (0: never), and the off-CPU interval that snapshots the
 * thread that blocked (0: no trigger).
 */
public final class PtPerfConfig {
    /** 4 MB per thread: a few ms of a busy thread's branches (perf's default snapshot size for intel_pt is 4 MB too). */
    public static final long DEFAULT_BUFFER = 4L << 20;
    public static final long MIN_BUFFER = 64L << 10;
    public static final long MAX_BUFFER = 256L << 20;

    private final long bufferBytes;
    private final boolean javaOnly;
    private final long periodNanos;
    private final long triggerNanos;

    public PtPerfConfig(long bufferBytes, boolean javaOnly, long periodNanos, long triggerNanos) {
        this.bufferBytes = bufferBytes;
        this.javaOnly = javaOnly;
        this.periodNanos = periodNanos;
        this.triggerNanos = triggerNanos;
    }

    public static PtPerfConfig defaults() {
        return new PtPerfConfig(DEFAULT_BUFFER, true, 0, 0);
    }

    public long bufferBytes() {
        return bufferBytes;
    }

    public boolean javaOnly() {
        return javaOnly;
    }

    public long periodNanos() {
        return periodNanos;
    }

    public long triggerNanos() {
        return triggerNanos;
    }

    public PtPerfConfig withBufferBytes(long b) {
        return new PtPerfConfig(b, javaOnly, periodNanos, triggerNanos);
    }

    public PtPerfConfig withJavaOnly(boolean j) {
        return new PtPerfConfig(bufferBytes, j, periodNanos, triggerNanos);
    }

    public PtPerfConfig withPeriodNanos(long p) {
        return new PtPerfConfig(bufferBytes, javaOnly, p, triggerNanos);
    }

    public PtPerfConfig withTriggerNanos(long t) {
        return new PtPerfConfig(bufferBytes, javaOnly, periodNanos, t);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof PtPerfConfig)) {
            return false;
        }
        PtPerfConfig c = (PtPerfConfig) o;
        return bufferBytes == c.bufferBytes && javaOnly == c.javaOnly && periodNanos == c.periodNanos
                && triggerNanos == c.triggerNanos;
    }

    @Override
    public int hashCode() {
        return Objects.hash(bufferBytes, javaOnly, periodNanos, triggerNanos);
    }

    @Override
    public String toString() {
        return "PtPerfConfig[buffer=" + bufferBytes + ", filter=" + (javaOnly ? "java" : "all") + ", period="
                + periodNanos + ", trigger=" + triggerNanos + "]";
    }
}
