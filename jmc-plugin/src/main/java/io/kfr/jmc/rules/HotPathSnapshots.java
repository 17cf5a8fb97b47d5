package io.kfr.jmc.rules;

import io.kfr.jmc.events.Frames;
import io.kfr.jmc.events.KfrEvents;
import org.openjdk.jmc.common.IMCFrame;
import org.openjdk.jmc.common.IMCStackTrace;
import org.openjdk.jmc.common.IMCThread;
import org.openjdk.jmc.common.item.IItemCollection;
import org.openjdk.jmc.common.unit.IQuantity;
import org.openjdk.jmc.common.unit.UnitLookup;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The kfr.HotPath events of a recording, by snapshot (its number) and thread: each thread's paths
 * hottest first (instructions), for the hot-paths rule and the report's section.
 */
public final class HotPathSnapshots {
    /** Frames of a path shown: the method it ran in and its nearest callers. */
    static final int FRAMES_SHOWN = 4;

    /** One thread's trace in one snapshot. */
    public static final class Trace {
        public final long snapshot;
        public final String thread;
        public final String reason;
        public final List<Path> paths = new ArrayList<>();
        public long instructions;

        Trace(long snapshot, String thread, String reason) {
            this.snapshot = snapshot;
            this.thread = thread;
            this.reason = reason;
        }
    }

    /** One path: its frames in words (innermost first), instructions, conditional branches. */
    public static final class Path {
        public final String text;
        public final long instructions;
        public final long branches;

        Path(String text, long instructions, long branches) {
            this.text = text;
            this.instructions = instructions;
            this.branches = branches;
        }
    }

    private HotPathSnapshots() {
    }

    /** Snapshot by snapshot, threads by name; paths hottest first. */
    public static List<Trace> of(IItemCollection items) {
        Map<String, Trace> traces = new TreeMap<>();
        KfrEvents.forEach(items, KfrEvents.HOT_PATH, e -> {
            long snapshot = e.number("snapshot");
            IMCThread t = e.thread();
            String thread = t == null ? "?" : Text.safe(t.getThreadName());
            String key = String.format("%012d/%s", snapshot, thread);
            Trace trace = traces.computeIfAbsent(key, k -> new Trace(snapshot, thread, Text.safe(e.text(KfrEvents.REASON))));
            long instructions = e.number("instructions");
            trace.paths.add(new Path(text(e.stack()), instructions, e.number("branches")));
            trace.instructions += instructions;
        });
        List<Trace> out = new ArrayList<>(traces.values());
        for (Trace t : out) {
            t.paths.sort(Comparator.comparingLong((Path p) -> p.instructions).reversed());
        }
        return out;
    }

    /** "Hot.mix:17 (inlined) <- Hot.loop:12 <- libc.so.6!memcpy". */
    static String text(IMCStackTrace stack) {
        StringBuilder b = new StringBuilder();
        List<? extends IMCFrame> frames = Frames.of(stack);
        for (int i = 0; i < Math.min(FRAMES_SHOWN, frames.size()); i++) {
            IMCFrame f = frames.get(i);
            if (i > 0) {
                b.append(" <- ");
            }
            if (Frames.isJava(f)) {
                b.append(Frames.javaText(f));
                if (IMCFrame.Type.INLINED.equals(f.getType())) {
                    b.append(" (inlined)");
                }
            } else {
                b.append(Frames.owner(f)).append('!').append(Frames.functionName(f));
            }
        }
        if (frames.size() > FRAMES_SHOWN) {
            b.append(" <- ...");
        }
        return b.toString();
    }

    /** A count as JMC shows plain numbers. */
    static IQuantity count(long n) {
        return UnitLookup.NUMBER_UNITY.quantity(n);
    }
}
