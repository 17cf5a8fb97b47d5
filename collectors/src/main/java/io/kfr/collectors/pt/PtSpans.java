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
 * to its return, at its depth. A frame the trace was already in at its start (or that a return
 * below the start revealed) spans from the start of its stretch; a frame still open at a gap or at
 * the end spans to there. Depth 0 is the shallowest frame of each stretch between gaps.
 * <p>
 * A call whose target cannot be named (an itable stub, a PLT entry) is named by the first code it
 * reaches that can. Inlined calls are no calls in the trace: the code of a compiled method moves in
 * and out of its inlined scopes, which the scope of each segment's last instruction tells; each
 * stretch in an inlined scope is a span of its own ("inner (inlined in outer)"), one deeper than the
 * scope around it, and what it calls is deeper still.
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
                    open.push(new Raw(root(names, s.firstIp), 0, -1, before, run));
                }
                Raw top = open.peek();
                if (top.unnamed && !unnamed(names, s.firstIp)) { // entered through a stub: the callee's name
                    top.method = root(names, s.firstIp);
                    top.unnamed = false;
                }
                if (s.timeNanos >= 0 && state[0] < 0) {
                    state[0] = s.timeNanos;
                    for (Raw r : open) {
                        r.startAt(s.timeNanos); // the frames open since the run's start
                        for (Raw i : r.inlined) {
                            i.startAt(s.timeNanos);
                        }
                    }
                }
                top.enterScopes(names.apply(s.lastIp), state[1], before, raw);
                if (s.timeNanos >= 0) {
                    state[1] = s.timeNanos;
                }
            }

            @Override
            public void called(PtSegment s, int depth, int run, long after) {
                Raw caller = open.peek();
                Raw callee = new Raw(root(names, s.target), caller.depth + 1 + caller.inlined.size(), s.timeNanos, after, run);
                callee.unnamed = unnamed(names, s.target);
                open.push(callee);
            }

            @Override
            public void returned(PtSegment s, int depth, boolean belowStart, int run, long after) {
                Raw done = open.poll();
                done.close(s.timeNanos, after, raw);
                if (open.isEmpty()) { // back in a caller the trace never saw called: open since the run's start
                    Raw caller = new Raw(root(names, s.target), done.depth - 1, state[0], state[2], run);
                    minDepth.set(run, Math.min(minDepth.get(run), caller.depth));
                    open.push(caller);
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
            open.pop().close(time, instruction, raw);
        }
    }

    /** The compiled method (the root scope) or native function at ip. */
    static String root(LongFunction<List<Frame>> names, long ip) {
        List<Frame> f = names.apply(ip);
        return words(f.get(f.size() - 1));
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

    /** One open span: a physical frame, with the inlined scopes open in it (outer first), or one such scope. */
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
        /** Of a physical frame: its open inlined scopes, outer first, and their methods' identities. */
        final List<Raw> inlined = new ArrayList<>();
        final List<String> scopes = new ArrayList<>();

        Raw(String method, int depth, long start, long startInstruction, int run) {
            this.method = method;
            this.depth = depth;
            this.start = start;
            this.startInstruction = startInstruction;
            this.run = run;
        }

        void startAt(long time) {
            if (start < 0) {
                start = time;
            }
        }

        /**
         * The code now runs in these frames (innermost first, the compiled method last): the inlined
         * scopes it left end at the segment's start, those it entered begin there.
         */
        void enterScopes(List<Frame> frames, long time, long instruction, List<Raw> done) {
            int n = frames.size() - 1; // inlined scopes, outermost at n - 1
            int same = 0;
            while (same < n && same < scopes.size() && scopes.get(same).equals(identity(frames.get(n - 1 - same)))) {
                same++;
            }
            while (inlined.size() > same) {
                Raw r = inlined.remove(inlined.size() - 1);
                scopes.remove(scopes.size() - 1);
                r.end = time;
                r.endInstruction = instruction;
                done.add(r);
            }
            String outer = words(frames.get(n));
            for (int i = same; i < n; i++) {
                Frame f = frames.get(n - 1 - i);
                inlined.add(new Raw(words(f) + " (inlined in " + outer + ")", depth + 1 + i, time, instruction, run));
                scopes.add(identity(f));
            }
        }

        void close(long time, long instruction, List<Raw> done) {
            enterScopes(List.of(Frame.unknown("")), time, instruction, done); // its inlined scopes end with it
            end = time;
            endInstruction = instruction;
            done.add(this);
        }

        private static String identity(Frame f) {
            return f.owner() + "." + f.method() + f.descriptor();
        }
    }
}
