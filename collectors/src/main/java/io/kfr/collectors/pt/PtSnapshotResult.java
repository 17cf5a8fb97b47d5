package io.kfr.collectors.pt;

import java.util.List;
import java.util.Map;

/** One thread's snapshot, decoded and named: its hot paths, its call timeline, and what decoding said. */
public final class PtSnapshotResult {
    /** The snapshot's number in this JVM (1, 2, ...): several threads' snapshots taken together share it. */
    public final long snapshot;
    public final int tid;
    public final String reason;
    /** When the snapshot was taken, epoch ns: the time of events whose trace had no timing. */
    public final long epochNanos;
    public final List<PtHotPath> paths;
    public final List<PtSpan> spans;
    public final long traceBytes;
    public final long instructions;
    public final Map<String, Integer> stops;
    public final boolean wrapped;
    public final long decodeNanos;
    /** Distinct addresses of the trace that could not be named (code unloaded meanwhile, stubs). */
    public final long unnamed;

    public PtSnapshotResult(long snapshot, int tid, String reason, long epochNanos, List<PtHotPath> paths, List<PtSpan> spans,
                            long traceBytes, long instructions, Map<String, Integer> stops, boolean wrapped,
                            long decodeNanos, long unnamed) {
        this.snapshot = snapshot;
        this.tid = tid;
        this.reason = reason;
        this.epochNanos = epochNanos;
        this.paths = paths;
        this.spans = spans;
        this.traceBytes = traceBytes;
        this.instructions = instructions;
        this.stops = stops;
        this.wrapped = wrapped;
        this.decodeNanos = decodeNanos;
        this.unnamed = unnamed;
    }

    @Override
    public String toString() {
        return "thread " + tid + " (" + reason + "): " + traceBytes + " bytes, " + instructions + " instructions, "
                + paths.size() + " paths, " + spans.size() + " spans, stops " + stops;
    }
}
