package io.kfr.collectors.pt;

import io.kfr.collectors.StackTrace;

/**
 * One distinct call path of a snapshot: the stack (innermost first, the callers the trace showed;
 * truncated: the callers above the snapshot's start are not in it), how many instructions and
 * conditional branches the thread executed on it, and when (CLOCK_MONOTONIC ns, -1 without timing).
 */
public final class PtHotPath {
    public final StackTrace stack;
    public final long instructions;
    public final long branches;
    /** First time the path was seen, -1 without timing packets. */
    public final long startNanos;
    /** Time spent on it (sum over its segments), 0 without timing. */
    public final long durationNanos;

    public PtHotPath(StackTrace stack, long instructions, long branches, long startNanos, long durationNanos) {
        this.stack = stack;
        this.instructions = instructions;
        this.branches = branches;
        this.startNanos = startNanos;
        this.durationNanos = durationNanos;
    }

    @Override
    public String toString() {
        return instructions + " insns, " + branches + " branches, " + durationNanos + " ns: " + stack.frames();
    }
}
