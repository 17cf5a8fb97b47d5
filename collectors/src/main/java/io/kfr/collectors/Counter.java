package io.kfr.collectors;

import java.util.Objects;

/**
 * One counter of a collector's statistics, declared by the collector that fills it. The name is
 * the field of kfr.CollectorStatistics that carries it; label and description are that field's.
 *
 * @param unit "NANOSECONDS" for a time span, null for a plain count
 */
public final class Counter {
    private final String name;
    private final String label;
    private final String description;
    private final String unit;

    public Counter(String name, String label, String description, String unit) {
        this.name = name;
        this.label = label;
        this.description = description;
        this.unit = unit;
    }

    public String name() {
        return name;
    }

    public String label() {
        return label;
    }

    public String description() {
        return description;
    }

    public String unit() {
        return unit;
    }

    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof Counter)) {
            return false;
        }
        Counter o = (Counter) other;
        return Objects.equals(name, o.name) && Objects.equals(label, o.label)
                && Objects.equals(description, o.description) && Objects.equals(unit, o.unit);
    }

    @Override
    public int hashCode() {
        int h = 0;
        h = 31 * h + Objects.hashCode(name);
        h = 31 * h + Objects.hashCode(label);
        h = 31 * h + Objects.hashCode(description);
        h = 31 * h + Objects.hashCode(unit);
        return h;
    }

    @Override
    public String toString() {
        return "Counter[name=" + name + ", label=" + label + ", description=" + description + ", unit=" + unit + "]";
    }

    public static Counter count(String name, String label, String description) {
        return new Counter(name, label, description, null);
    }

    public static Counter nanos(String name, String label, String description) {
        return new Counter(name, label, description, "NANOSECONDS");
    }
}
