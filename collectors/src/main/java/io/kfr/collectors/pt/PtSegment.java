package io.kfr.collectors.pt;

/**
 * One stretch of execution from {@code firstIp} up to and including the instruction at {@code lastIp},
 * which ends it: a call, a return, an unconditional jump, a syscall, an interrupt, or the point where
 * decoding stopped. Conditional branches (taken or not) do not end a segment; they are counted in it.
 */
public final class PtSegment {
    public static final int END_CALL = 1;
    public static final int END_RETURN = 2;
    /** A direct or indirect jump that is neither a call nor a return (far jumps included). */
    public static final int END_JUMP = 3;
    /** An asynchronous event or exception took the thread elsewhere after lastIp. */
    public static final int END_INTERRUPT = 4;
    /**
     * Decoding stopped after lastIp: an error, a gap in the trace, or the trace's end. A gap right
     * after a branch (an overflow, an error before a resync) is an END_GAP segment of 0 instructions
     * (ips 0), so that no two segments around lost trace read as continuous execution.
     */
    public static final int END_GAP = 5;
    public static final int END_SYSCALL = 6;

    public final long firstIp;
    public final long lastIp;
    /** Instructions executed in the segment, the last one included. */
    public final int instructions;
    /** Conditional branches executed in it, taken or not. */
    public final int conditionals;
    /** Of {@link #conditionals}, the taken ones. */
    public final int conditionalsTaken;
    /** One of the END_ constants. */
    public final int end;
    /** Where execution went next, 0 if unknown. */
    public final long target;
    /** Time of the segment's end in CLOCK_MONOTONIC ns when the trace has timing and a conversion is known, else -1. */
    public final long timeNanos;

    public PtSegment(long firstIp, long lastIp, int instructions, int conditionals, int conditionalsTaken,
                     int end, long target, long timeNanos) {
        this.firstIp = firstIp;
        this.lastIp = lastIp;
        this.instructions = instructions;
        this.conditionals = conditionals;
        this.conditionalsTaken = conditionalsTaken;
        this.end = end;
        this.target = target;
        this.timeNanos = timeNanos;
    }

    public static String endName(int end) {
        switch (end) {
            case END_CALL: return "call";
            case END_RETURN: return "return";
            case END_JUMP: return "jump";
            case END_INTERRUPT: return "interrupt";
            case END_GAP: return "gap";
            case END_SYSCALL: return "syscall";
            default: return "end " + end;
        }
    }

    @Override
    public String toString() {
        return String.format("%x..%x %d insns %d cond (%d taken) %s -> %x t=%d", firstIp, lastIp, instructions,
                conditionals, conditionalsTaken, endName(end), target, timeNanos);
    }
}
