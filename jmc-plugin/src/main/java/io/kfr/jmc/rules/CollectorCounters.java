package io.kfr.jmc.rules;

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
    long firstNanos = Long.MAX_VALUE;
    long lastNanos = Long.MIN_VALUE;

    private CollectorCounters(String collector) {
        this.collector = collector;
    }

    long get(String field) {
        return max.getOrDefault(field, 0L);
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
            for (String f : FIELDS) {
                c.max.merge(f, e.number(f), Math::max);
            }
        });
        return byCollector;
    }
}
