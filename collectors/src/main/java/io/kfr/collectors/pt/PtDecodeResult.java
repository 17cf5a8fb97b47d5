package io.kfr.collectors.pt;

import java.util.Collections;
import java.util.List;
import java.util.Map;

/** What one decode of one thread's trace gave: its segments, and why and how often it stopped. */
public final class PtDecodeResult {
    /** In execution order. */
    public final List<PtSegment> segments;
    /** Instructions decoded in all. */
    public final long instructions;
    /** Decode stops caused by errors (each also counted by reason in {@link #stops}). */
    public final int errors;
    /**
     * Reason -> count: "overflow", "trace end mid-packet", "no code at ip", "bad instruction",
     * "bad packet", "no sync", "budget", ... (see {@link PtStops}); the trace's clean end is not a stop.
     */
    public final Map<String, Integer> stops;
    /** True when the instruction or time budget ended decoding before the trace's end. */
    public final boolean truncated;
    /** Trace bytes the decoder went through. */
    public final long traceBytes;
    /** Wall time the decode took, ns. */
    public final long decodeNanos;

    public PtDecodeResult(List<PtSegment> segments, long instructions, int errors, Map<String, Integer> stops,
                          boolean truncated, long traceBytes, long decodeNanos) {
        this.segments = Collections.unmodifiableList(segments);
        this.instructions = instructions;
        this.errors = errors;
        this.stops = Collections.unmodifiableMap(stops);
        this.truncated = truncated;
        this.traceBytes = traceBytes;
        this.decodeNanos = decodeNanos;
    }

    @Override
    public String toString() {
        return segments.size() + " segments, " + instructions + " instructions, " + errors + " errors, stops "
                + stops + (truncated ? ", truncated" : "") + ", " + traceBytes + " bytes in " + decodeNanos / 1000 + " us";
    }
}
