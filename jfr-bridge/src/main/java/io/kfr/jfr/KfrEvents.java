package io.kfr.jfr;

/** Names of the events in kfr's chunk (DESIGN.md "Event contract"). */
public final class KfrEvents {
    public static final String OFF_CPU = "kfr.OffCpu";
    public static final String COLLECTOR_STATISTICS = "kfr.CollectorStatistics";
    public static final String CPU_SAMPLE = "kfr.CpuSample";
    /**
     * The JDK's own sample type, written into kfr's chunk (with kfr's type id) for CPU samples
     * added as execution samples: JMC's Method Profiling page shows only this type.
     */
    public static final String EXECUTION_SAMPLE = "jdk.ExecutionSample";

    private KfrEvents() {
    }
}
