package io.kfr.jmc.rules;

import io.kfr.jmc.events.KfrEvents;
import org.openjdk.jmc.common.item.IItemCollection;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The final counters of each kfr collector from its kfr.CollectorStatistics events. The counters
 * are cumulative, so the largest value of each is the last; first/last times bound the period.
 */
final class CollectorCounters {
    static final List<String> FIELDS = List.of("bpfRunCount", "bpfRunTime", "eventsRecorded", "intervalsAggregated",
            "recordsLost", "recordsDropped", "droppedTime", "stackErrors", "unknownFrames", "stackWalks",
            "storageErrors", "intervalsMissed", "collectorCpuTime", "javaWalks", "javaWalkTime", "javaFrames",
            "javaBroken", "javaTruncated", "javaStacksSent", "javaStacksLost");

    final String collector;
    final Map<String, Long> max = new LinkedHashMap<>();
    /** The first statistics' values: what the collector had spent by its first period (start-up included). */
    final Map<String, Long> min = new LinkedHashMap<>();
    int events;
    long firstNanos = Long.MAX_VALUE;
    long lastNanos = Long.MIN_VALUE;

    private CollectorCounters(String collector) {
        this.collector = collector;
    }

    long get(String field) {
        return max.getOrDefault(field, 0L);
    }

    /**
     * CPU time per second of the collector (BPF programs plus its thread) between its first and
     * last statistics: the steady cost, without start-up; -1 with fewer than two statistics.
     */
    double steadyCpuShare() {
        long span = lastNanos - firstNanos;
        if (events < 2 || span <= 0) {
            return -1;
        }
        long spent = get("bpfRunTime") - min.getOrDefault("bpfRunTime", 0L) + get("collectorCpuTime")
                - min.getOrDefault("collectorCpuTime", 0L);
        return (double) spent / span;
    }

    /** Off-CPU intervals or CPU samples the kernel handled: delivered one by one, summed, or dropped. */
    long handled() {
        return get("eventsRecorded") + get("intervalsAggregated") + get("recordsDropped");
    }

    /** Records lost for good: dropped (aggregation map or ring full), unstorable, or never seen. */
    long lost() {
        return get("recordsDropped") + get("storageErrors") + get("intervalsMissed");
    }

    static Map<String, CollectorCounters> read(IItemCollection items) {
        Map<String, CollectorCounters> byCollector = new TreeMap<>();
        KfrEvents.forEach(items, KfrEvents.COLLECTOR_STATISTICS, e -> {
            String name = e.text(KfrEvents.COLLECTOR);
            CollectorCounters c = byCollector.computeIfAbsent(name == null ? "?" : name, CollectorCounters::new);
            c.firstNanos = Math.min(c.firstNanos, e.startNanos());
            c.lastNanos = Math.max(c.lastNanos, e.startNanos());
            c.events++;
            for (String f : FIELDS) {
                long v = e.number(f);
                c.max.merge(f, v, Math::max);
                c.min.merge(f, v, Math::min);
            }
        });
        return byCollector;
    }
}
