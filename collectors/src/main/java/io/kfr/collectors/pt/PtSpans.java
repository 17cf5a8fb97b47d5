package io.kfr.collectors.pt;

import io.kfr.collectors.Frame;
import io.kfr.collectors.FrameType;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.LongFunction;

/**
 * The call/return timeline of one decoded snapshot: a {@link PtSpan} per method call, from the call
 * to its return, at its depth. A call whose target cannot be named (an itable stub, a PLT entry) is
 * named by the first code it reaches that can. Inlined calls are no calls in the trace: a span's
 * method is the scope at the callee's first instruction. A frame the trace was already in at its start (or that a return
 * below the start revealed) spans from the start of its stretch; a frame still open at a gap or at
 * the end spans to there. Depth 0 is the shallowest frame of each stretch between gaps.
 */
public final class PtSpans {
    private PtSpans() {
    }

    /** In order of their start, then depth. */
    public static List<PtSpan> of(List<PtSegment> segments, LongFunction<List<Frame>> names) {
        List<Raw> raw = new ArrayList<>();
        List<Integer> minDepth = new ArrayList<>();
        Deque<Raw> open = new ArrayDeque<>();
        long[] state = {-1, -1, 0}; // run's first time, last time seen, run's first instruction
        boolean[] runStarted = {false};
        PtPathsWalk.walk(segments, new PtPathsWalk.Visitor() {
            @Override
            public void segment(PtSegment s, long[] stack, int size, int depth, int run, long before) {
                if (!runStarted[0]) {
                    runStarted[0] = true;
                    minDepth.add(0);
                    state[0] = -1;
                    state[2] = before;
                    open.push(new Raw(name(names, s.firstIp), depth, -1, before, run));
                }
                Raw top = open.peek();
                if (top != null && top.unnamed) { // entered through a stub (an itable or PLT stub): the callee's name
                    String n = name(names, s.firstIp);
                    if (!unnamed(names, s.firstIp)) {
                        top.method = n;
                        top.unnamed = false;
                    }
                }
                if (s.timeNanos >= 0) {
                    if (state[0] < 0) {
                        state[0] = s.timeNanos;
                        for (Raw r : open) {
                            if (r.start < 0) {
                                r.start = s.timeNanos; // the frames open since the run's start
                            }
                        }
                    }
                    state[1] = s.timeNanos;
                }
            }

            @Override
            public void called(PtSegment s, int depth, int run, long after) {
                Raw callee = new Raw(name(names, s.target), depth, s.timeNanos, after, run);
                callee.unnamed = unnamed(names, s.target);
                open.push(callee);
            }

            @Override
            public void returned(PtSegment s, int depth, boolean belowStart, int run, long after) {
                Raw done = open.poll();
                if (done != null) {
                    done.close(s.timeNanos, after);
                    raw.add(done);
                }
                if (open.isEmpty()) { // back in a caller the trace never saw called: open since the run's start
                    minDepth.set(run, Math.min(minDepth.get(run), depth));
                    open.push(new Raw(name(names, s.target), depth, state[0], state[2], run));
                }
            }

            @Override
            public void gap(PtSegment s, int run, long after) {
                closeAll(open, raw, state[1], after);
                runStarted[0] = false;
            }
        });
        long total = 0;
        for (PtSegment s : segments) {
            total += s.instructions;
        }
        closeAll(open, raw, state[1], total);
        List<PtSpan> out = new ArrayList<>(raw.size());
        for (Raw r : raw) {
            out.add(new PtSpan(r.method, r.depth - minDepth.get(r.run), r.start, r.end, r.startInstruction,
                    r.endInstruction));
        }
        out.sort((a, b) -> a.startInstruction != b.startInstruction ? Long.compare(a.startInstruction, b.startInstruction)
                : Integer.compare(a.depth, b.depth));
        return out;
    }

    private static void closeAll(Deque<Raw> open, List<Raw> raw, long time, long instruction) {
        while (!open.isEmpty()) {
            Raw r = open.pop();
            r.close(time, instruction);
            raw.add(r);
        }
    }

    /** The method at ip: its compiled method (the root scope) and, if ip is in an inlined scope, that scope. */
    static String name(LongFunction<List<Frame>> names, long ip) {
        List<Frame> f = names.apply(ip);
        Frame root = f.get(f.size() - 1);
        String outer = words(root);
        if (f.size() == 1) {
            return outer;
        }
        return words(f.get(0)) + " (inlined in " + outer + ")";
    }

    private static boolean unnamed(LongFunction<List<Frame>> names, long ip) {
        return names.apply(ip).get(0).type() == FrameType.UNKNOWN;
    }

    private static String words(Frame f) {
        if (f.type() == FrameType.NATIVE || f.type() == FrameType.CPP || f.type() == FrameType.KERNEL
                || f.type() == FrameType.UNKNOWN) {
            return f.owner() + "!" + f.method();
        }
        return f.owner() + "." + f.method() + f.descriptor();
    }

    private static final class Raw {
        /** The callee's name: a call into a stub takes the name of the first named code it reaches. */
        String method;
        boolean unnamed;
        final int depth;
        final int run;
        long start;
        long end = -1;
        final long startInstruction;
        long endInstruction;

        Raw(String method, int depth, long start, long startInstruction, int run) {
            this.method = method;
            this.depth = depth;
            this.start = start;
            this.startInstruction = startInstruction;
            this.run = run;
        }

        void close(long time, long instruction) {
            end = time;
            endInstruction = instruction;
        }
    }
}
