package io.kfr.jfr;

/** Names of the events in kfr's chunk (DESIGN.md "Event contract"). */
public final class KfrEvents {
    public static final String OFF_CPU = "kfr.OffCpu";
    public static final String COLLECTOR_STATISTICS = "kfr.CollectorStatistics";

    private KfrEvents() {
    }
}
