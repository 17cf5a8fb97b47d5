package io.kfr.collectors.pt;

import java.util.List;

/**
 * The call stack of a decoded trace, rebuilt from its segments: a call pushes its call site, a
 * return pops one. A return with nothing to pop left a frame the snapshot never saw called (the
 * trace starts mid-stack): depth goes below the start. A gap (decoding stopped and resynchronized)
 * may land anywhere, so the stack starts again empty: each stretch between gaps is a run of its
 * own. Interrupts, jumps (tail calls included) and system calls keep the stack.
 */
final class PtPathsWalk {
    /** Deepest stack kept; deeper call sites (runaway recursion) are dropped from the bottom. */
    static final int MAX_DEPTH = 256;

    interface Visitor {
        /** A segment executed with {@code stack[0..size)} as its call sites, innermost first; depth relative to the run's start. */
        void segment(PtSegment s, long[] stack, int size, int depth, int run, long instructionsBefore);

        /** After a call segment: the callee (at {@code s.target}) is entered at depth {@code depth}. */
        default void called(PtSegment s, int depth, int run, long instructionsAfter) {
        }

        /** After a return segment: the frame at {@code depth + 1} ended; {@code belowStart}: its call was not in the trace. */
        default void returned(PtSegment s, int depth, boolean belowStart, int run, long instructionsAfter) {
        }

        /** Decoding stopped after this segment: the run ends. */
        default void gap(PtSegment s, int run, long instructionsAfter) {
        }
    }

    private PtPathsWalk() {
    }

    static void walk(List<PtSegment> segments, Visitor v) {
        long[] stack = new long[MAX_DEPTH];
        int size = 0;
        int depth = 0;
        int run = 0;
        long instructions = 0;
        for (PtSegment s : segments) {
            v.segment(s, stack, size, depth, run, instructions);
            instructions += s.instructions;
            switch (s.end) {
                case PtSegment.END_CALL:
                    if (size == MAX_DEPTH) {
                        System.arraycopy(stack, 0, stack, 1, MAX_DEPTH - 1); // stack[0] is the innermost
                        size--;
                    } else {
                        System.arraycopy(stack, 0, stack, 1, size);
                    }
                    stack[0] = s.lastIp;
                    size++;
                    depth++;
                    v.called(s, depth, run, instructions);
                    break;
                case PtSegment.END_RETURN: {
                    boolean below = size == 0;
                    if (!below) {
                        System.arraycopy(stack, 1, stack, 0, size - 1);
                        size--;
                    }
                    depth--;
                    v.returned(s, depth, below, run, instructions);
                    break;
                }
                case PtSegment.END_GAP:
                    v.gap(s, run, instructions);
                    size = 0;
                    depth = 0;
                    run++;
                    break;
                default:
                    break;
            }
        }
    }
}
