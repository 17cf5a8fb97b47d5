package io.kfr.collectors;

/**
 * One counter of a collector's statistics, declared by the collector that fills it. The name is
 * the field of kfr.CollectorStatistics that carries it; label and description are that field's.
 *
 * @param unit "NANOSECONDS" for a time span, null for a plain count
 */
public record Counter(String name, String label, String description, String unit) {
    public static Counter count(String name, String label, String description) {
        return new Counter(name, label, description, null);
    }

    public static Counter nanos(String name, String label, String description) {
        return new Counter(name, label, description, "NANOSECONDS");
    }
}
