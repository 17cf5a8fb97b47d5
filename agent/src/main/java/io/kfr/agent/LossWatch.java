package io.kfr.agent;

import io.kfr.collectors.CollectorCounters;
import io.kfr.collectors.CollectorStatistics;
import io.kfr.collectors.hotspot.JavaWalkCounters;
import io.kfr.collectors.offcpu.OffCpuCounters;

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
    private final String advice;
    private long lastSaid = Long.MIN_VALUE;
    private long saidTotal;

    /** @param advice which option loses less */
    LossWatch(String collector, String advice) {
        this.collector = collector;
        this.advice = advice;
    }

    /** Logs a line if losses grew and the last line is a minute old (or there was none). */
    void update(CollectorStatistics s, long nowNanos) {
        long total = total(s);
        if (total > saidTotal && (lastSaid == Long.MIN_VALUE || nowNanos - lastSaid >= INTERVAL_NANOS)) {
            lastSaid = nowNanos;
            saidTotal = total;
            Log.error(collector + " is losing records: " + describe(s) + " so far; " + advice);
        }
    }

    static long total(CollectorStatistics s) {
        return s.get(OffCpuCounters.RECORDS_LOST) + s.get(CollectorCounters.RECORDS_DROPPED) + s.get(OffCpuCounters.STORAGE_ERRORS) + s.get(OffCpuCounters.INTERVALS_MISSED) + s.get(JavaWalkCounters.STACKS_LOST);
    }

    /** What was lost, in one clause, or "" when nothing was. */
    static String describe(CollectorStatistics s) {
        List<String> parts = new ArrayList<>();
        boolean offCpu = "offcpu".equals(s.collector());
        if (offCpu) {
            if (s.get(CollectorCounters.RECORDS_DROPPED) > 0) {
                parts.add(s.get(CollectorCounters.RECORDS_DROPPED) + " intervals lost (aggregation map full, " + String.format(Locale.ROOT,
                        "%.1f s", s.get(OffCpuCounters.DROPPED_TIME) / 1e9) + " off-CPU)");
            }
            if (s.get(OffCpuCounters.STORAGE_ERRORS) + s.get(OffCpuCounters.INTERVALS_MISSED) > 0) {
                parts.add((s.get(OffCpuCounters.STORAGE_ERRORS) + s.get(OffCpuCounters.INTERVALS_MISSED)) + " intervals lost (not seen or not stored by the kernel)");
            }
            if (s.get(OffCpuCounters.RECORDS_LOST) > 0) {
                parts.add(s.get(OffCpuCounters.RECORDS_LOST) + " long intervals only summed (ring buffer full)");
            }
        } else if (s.get(CollectorCounters.RECORDS_DROPPED) > 0) {
            parts.add(s.get(CollectorCounters.RECORDS_DROPPED) + " samples lost (ring buffer full)");
        }
        if (s.get(JavaWalkCounters.STACKS_LOST) > 0) {
            parts.add(s.get(JavaWalkCounters.STACKS_LOST) + " Java stacks lost");
        }
        return String.join(", ", parts);
    }
}
