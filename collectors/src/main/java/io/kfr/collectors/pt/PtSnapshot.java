package io.kfr.collectors.pt;

import java.nio.ByteBuffer;

/**
 * One thread's trace at a snapshot: the AUX ring's bytes oldest first, why it was taken, and what
 * decoding needs to put times on it (perf's TSC conversion, when the kernel offers one).
 */
public final class PtSnapshot {
    /** Why a snapshot was taken. */
    public static final String ON_DEMAND = "on demand";
    public static final String PERIODIC = "periodic";
    public static final String OFF_CPU = "off-CPU";
    /** When the recording stops (kfr stop, the JVM's exit): the last trace of every thread. */
    public static final String AT_STOP = "at stop";

    public final int tid;
    public final String reason;
    /** When it was taken, epoch ns. */
    public final long epochNanos;
    /** The trace, position 0 .. limit. */
    public final ByteBuffer trace;
    public final long auxHead;
    /** Whether the ring had gone round: the oldest part of the thread's history is gone. */
    public final boolean wrapped;
    /** perf's time_zero, time_mult, time_shift; null when the kernel offers no TSC conversion. */
    public final long[] timeConversion;

    PtSnapshot(int tid, String reason, long epochNanos, ByteBuffer trace, long auxHead, boolean wrapped,
               long[] timeConversion) {
        this.tid = tid;
        this.reason = reason;
        this.epochNanos = epochNanos;
        this.trace = trace;
        this.auxHead = auxHead;
        this.wrapped = wrapped;
        this.timeConversion = timeConversion;
    }
}
