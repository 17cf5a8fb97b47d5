package io.kfr.agent;

import io.kfr.collectors.CollectorStatistics;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Says while it happens that a collector loses records, from its periodic statistics: the first
 * loss at once, then at most one line a minute while losses grow; the exit line and status take
 * {@link #describe}. Counted as lost: intervals or samples gone for good (aggregation map or ring
 * buffer full, task storage errors, switches the kernel never reported) and Java stacks the ring
 * buffer had no room for; long intervals that were only summed (ring buffer full) are said too,
 * since they lost their own timestamps and stacks' individuality. One instance per collector,
 * called on its thread.
 */
final class LossWatch {
    static final long INTERVAL_NANOS = 60_000_000_000L;

    private final String collector;
    private long lastSaid = Long.MIN_VALUE;
    private long saidTotal;

    LossWatch(String collector) {
        this.collector = collector;
    }

    /** Logs a line if losses grew and the last line is a minute old (or there was none). */
    void update(CollectorStatistics s, long nowNanos) {
        long total = total(s);
        if (total > saidTotal && (lastSaid == Long.MIN_VALUE || nowNanos - lastSaid >= INTERVAL_NANOS)) {
            lastSaid = nowNanos;
            saidTotal = total;
            Log.error(collector + " is losing records: " + describe(s) + " so far; " + advice(s));
        }
    }

    static long total(CollectorStatistics s) {
        return s.recordsLost() + s.recordsDropped() + s.storageErrors() + s.intervalsMissed() + s.java().stacksLost();
    }

    /** What was lost, in one clause, or "" when nothing was. */
    static String describe(CollectorStatistics s) {
        List<String> parts = new ArrayList<>();
        boolean offCpu = "offcpu".equals(s.collector());
        if (offCpu) {
            if (s.recordsDropped() > 0) {
                parts.add(s.recordsDropped() + " intervals lost (aggregation map full, " + String.format(Locale.ROOT,
                        "%.1f s", s.droppedNanos() / 1e9) + " off-CPU)");
            }
            if (s.storageErrors() + s.intervalsMissed() > 0) {
                parts.add((s.storageErrors() + s.intervalsMissed()) + " intervals lost (not seen or not stored by the kernel)");
            }
            if (s.recordsLost() > 0) {
                parts.add(s.recordsLost() + " long intervals only summed (ring buffer full)");
            }
        } else if (s.recordsDropped() > 0) {
            parts.add(s.recordsDropped() + " samples lost (ring buffer full)");
        }
        if (s.java().stacksLost() > 0) {
            parts.add(s.java().stacksLost() + " Java stacks lost");
        }
        return String.join(", ", parts);
    }

    private static String advice(CollectorStatistics s) {
        return "offcpu".equals(s.collector()) ? "a higher offcpu.threshold or a shorter offcpu.period loses less"
                : "a longer cpu.interval loses less";
    }
}
