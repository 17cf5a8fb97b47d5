package io.kfr.collectors.pt;

/**
 * One method call seen in a snapshot: from its call (or the window's start, for a call made before
 * it) to its return (or the window's end). Depth 0 is the shallowest frame of its stretch of trace.
 * Times in CLOCK_MONOTONIC ns, -1 without timing packets; instruction offsets always.
 */
public final class PtSpan {
    /** "class.method(descriptor)" or "library!function"; an inlined scope is "inner (inlined in outer)". */
    public final String method;
    public final int depth;
    public final long startNanos;
    public final long endNanos;
    /** Instructions into the snapshot at the call and at the return. */
    public final long startInstruction;
    public final long endInstruction;

    public PtSpan(String method, int depth, long startNanos, long endNanos, long startInstruction, long endInstruction) {
        this.method = method;
        this.depth = depth;
        this.startNanos = startNanos;
        this.endNanos = endNanos;
        this.startInstruction = startInstruction;
        this.endInstruction = endInstruction;
    }

    @Override
    public String toString() {
        return "  ".repeat(depth) + method + " [" + startInstruction + ".." + endInstruction + "]";
    }
}
