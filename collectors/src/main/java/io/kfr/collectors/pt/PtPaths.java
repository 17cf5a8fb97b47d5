package io.kfr.collectors.pt;

import io.kfr.collectors.Frame;
import io.kfr.collectors.StackTrace;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;

/**
 * The hot paths of one decoded snapshot: one {@link PtHotPath} per distinct call path, with the
 * instructions and conditional branches executed on it and the time spent there (when the trace
 * has timing). A path is the method the code ran in (its inlined scopes included) and the call
 * sites of its callers as the trace showed them (lines included). A segment belongs to the method
 * of its last instruction: straight-line code that crosses an inlined scope's edge counts for the
 * scope it ends in.
 */
public final class PtPaths {
    private PtPaths() {
    }

    /** Hottest first (instructions). */
    public static List<PtHotPath> of(List<PtSegment> segments, LongFunction<List<Frame>> names) {
        Map<String, Acc> paths = new LinkedHashMap<>();
        long[] lastTime = {-1};
        PtPathsWalk.walk(segments, new PtPathsWalk.Visitor() {
            @Override
            public void segment(PtSegment s, long[] stack, int size, int depth, int run, long before) {
                List<Frame> leaf = names.apply(s.lastIp);
                StringBuilder key = new StringBuilder();
                for (Frame f : leaf) {
                    key.append(f.owner()).append('.').append(f.method()).append(f.descriptor()).append('|');
                }
                for (int i = 0; i < size; i++) {
                    for (Frame f : names.apply(stack[i])) {
                        key.append(f.owner()).append('.').append(f.method()).append(f.descriptor()).append(':')
                                .append(f.line()).append('|');
                    }
                }
                String k = key.toString();
                Acc a = paths.get(k);
                if (a == null) {
                    a = new Acc(stack, size);
                    paths.put(k, a);
                }
                a.add(s, leaf, lastTime[0]);
                if (s.timeNanos >= 0) {
                    lastTime[0] = s.timeNanos;
                }
            }

            @Override
            public void gap(PtSegment s, int run, long after) {
                lastTime[0] = -1; // time across a gap is not this path's
            }
        });
        List<PtHotPath> out = new ArrayList<>(paths.size());
        for (Acc a : paths.values()) {
            out.add(a.path(names));
        }
        out.sort(Comparator.comparingLong((PtHotPath p) -> p.instructions).reversed());
        return out;
    }

    /** One path's sums; the leaf's lines are those of the segment that ran most instructions there. */
    private static final class Acc {
        final long[] callSites;
        long instructions;
        long branches;
        long start = -1;
        long duration;
        List<Frame> leaf;
        int leafInstructions = -1;

        Acc(long[] stack, int size) {
            callSites = java.util.Arrays.copyOf(stack, size);
        }

        void add(PtSegment s, List<Frame> frames, long previousTime) {
            instructions += s.instructions;
            branches += s.conditionals;
            if (s.instructions > leafInstructions) {
                leafInstructions = s.instructions;
                leaf = frames;
            }
            if (s.timeNanos >= 0) {
                if (previousTime >= 0 && s.timeNanos >= previousTime) {
                    duration += s.timeNanos - previousTime;
                    if (start < 0) {
                        start = previousTime;
                    }
                } else if (start < 0) {
                    start = s.timeNanos;
                }
            }
        }

        PtHotPath path(LongFunction<List<Frame>> names) {
            List<Frame> frames = new ArrayList<>(leaf);
            for (long ip : callSites) {
                frames.addAll(names.apply(ip));
            }
            // truncated: the callers above the trace's start are not known
            return new PtHotPath(new StackTrace(List.copyOf(frames), true), instructions, branches, start, duration);
        }
    }
}
