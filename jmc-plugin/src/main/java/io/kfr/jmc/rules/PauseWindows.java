package io.kfr.jmc.rules;

import io.kfr.jmc.events.KfrEvents;
import org.openjdk.jmc.common.item.IItemCollection;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The JVM's garbage collection pauses (jdk.GCPhasePause, on in JFR's default settings), merged
 * into disjoint windows, so that a Java thread blocked in Java code during one can be told from a
 * thread waiting for a monitor.
 */
final class PauseWindows {
    static final String GC_PHASE_PAUSE = "jdk.GCPhasePause";

    private final long[] starts;
    private final long[] ends;

    private PauseWindows(long[] starts, long[] ends) {
        this.starts = starts;
        this.ends = ends;
    }

    static PauseWindows read(IItemCollection items) {
        List<long[]> pauses = new ArrayList<>();
        KfrEvents.forEach(items, GC_PHASE_PAUSE, e -> pauses.add(new long[] {e.startNanos(),
                e.startNanos() + e.durationNanos()}));
        pauses.sort((a, b) -> Long.compare(a[0], b[0]));
        long[] starts = new long[pauses.size()];
        long[] ends = new long[pauses.size()];
        int n = 0;
        for (long[] p : pauses) {
            if (n > 0 && p[0] <= ends[n - 1]) {
                ends[n - 1] = Math.max(ends[n - 1], p[1]);
            } else {
                starts[n] = p[0];
                ends[n++] = p[1];
            }
        }
        return new PauseWindows(Arrays.copyOf(starts, n), Arrays.copyOf(ends, n));
    }

    boolean isEmpty() {
        return starts.length == 0;
    }

    /** How much of [start, end) lies in pauses. */
    long overlapNanos(long start, long end) {
        int i = Arrays.binarySearch(starts, start);
        i = i >= 0 ? i : Math.max(0, -i - 2);
        long overlap = 0;
        for (; i < starts.length && starts[i] < end; i++) {
            overlap += Math.max(0, Math.min(end, ends[i]) - Math.max(start, starts[i]));
        }
        return overlap;
    }
}
