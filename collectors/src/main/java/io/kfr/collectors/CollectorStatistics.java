package io.kfr.collectors;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a collector cost and what it could not record, cumulative since it started: the values of
 * the counters it declares ({@link Counter}), taken at {@code epochNanos}. A counter a collector
 * does not fill reads as 0. The off-CPU counters' exact rules: native/src/offcpu/offcpu_records.h.
 * <p>
 * The off-CPU collector's accounting: every off-CPU interval whose end (switch-in) the kernel
 * program saw is counted in exactly one of eventsRecorded (delivered individually, count == 1),
 * intervalsAggregated (summed in the kernel and delivered in aggregated samples whose counts add
 * up to it; includes recordsLost, long intervals that found the ring buffer full) and
 * recordsDropped (aggregation map full; droppedTime their off-CPU time). In the final statistics
 * (taken after the program was detached and everything drained) the individual samples delivered
 * == eventsRecorded and the sum of count over aggregated samples == intervalsAggregated; periodic
 * statistics are taken while the kernel keeps counting, so there the counters run ahead.
 */
public final class CollectorStatistics {
    private final String collector;
    private final long epochNanos;
    private final Map<Counter, Long> values;
    private final String javaFramesSelfTest;

    private CollectorStatistics(String collector, long epochNanos, Map<Counter, Long> values,
            String javaFramesSelfTest) {
        this.collector = collector;
        this.epochNanos = epochNanos;
        this.values = Collections.unmodifiableMap(values);
        this.javaFramesSelfTest = javaFramesSelfTest;
    }

    /**
     * The start-up self-test of Java frames as this collector saw it: "passed (...)", "failed: ...",
     * "not run" (this collector walks no Java frames, or they were off before the test); "" for a
     * collector without Java stacks.
     */
    public String javaFramesSelfTest() {
        return javaFramesSelfTest;
    }

    /** The collector's name, e.g. "offcpu", "cpu". */
    public String collector() {
        return collector;
    }

    public long epochNanos() {
        return epochNanos;
    }

    /** The counter's value, 0 if this collector does not fill it. */
    public long get(Counter counter) {
        return values.getOrDefault(counter, 0L);
    }

    /** The counters this collector filled, in the order it filled them. */
    public Map<Counter, Long> values() {
        return values;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(collector).append('@').append(epochNanos);
        values.forEach((c, v) -> b.append(' ').append(c.name()).append('=').append(v));
        return b.toString();
    }

    public static Builder builder(String collector) {
        return new Builder(collector);
    }

    /** Collects the values; {@link #build} takes the time. */
    public static final class Builder {
        private final String collector;
        private final Map<Counter, Long> values = new LinkedHashMap<>();
        private String javaFramesSelfTest = "";

        private Builder(String collector) {
            this.collector = collector;
        }

        public Builder put(Counter counter, long value) {
            values.put(counter, value);
            return this;
        }

        public Builder javaFramesSelfTest(String outcome) {
            javaFramesSelfTest = outcome;
            return this;
        }

        /** Statistics taken now. */
        public CollectorStatistics build() {
            return build(Clocks.nowEpochNanos());
        }

        public CollectorStatistics build(long epochNanos) {
            return new CollectorStatistics(collector, epochNanos, new LinkedHashMap<>(values), javaFramesSelfTest);
        }
    }
}
