package io.kfr.events;

/**
 * The names of the events in kfr's chunk (the event contract, docs/events.md) and the collector
 * that records each: the chunk writer declares its event types under these names, and the JMC
 * rules and the report read them.
 */
public final class KfrEventNames {
    public static final String OFF_CPU = "kfr.OffCpu";
    public static final String COLLECTOR_STATISTICS = "kfr.CollectorStatistics";
    public static final String CPU_SAMPLE = "kfr.CpuSample";
    public static final String PAGE_CACHE_MISS = "kfr.PageCacheMiss";
    public static final String WORKING_SET = "kfr.WorkingSet";
    /** One distinct call path of an Intel PT snapshot, with the instructions and branches run on it. */
    public static final String HOT_PATH = "kfr.HotPath";
    /** One method call of an Intel PT snapshot: call to return, with its depth. */
    public static final String PT_SPAN = "kfr.PtSpan";
    /** Where a native image of kfr's stacks was mapped, and its build id (for later symbolization). */
    public static final String NATIVE_IMAGE = "kfr.NativeImage";
    /** The run-time address of a native or kernel function of kfr's stacks. */
    public static final String NATIVE_SYMBOL = "kfr.NativeSymbol";
    /**
     * The JDK's own sample type, written into kfr's chunk (with kfr's type id) for CPU samples
     * added as execution samples: JMC's Method Profiling page shows only this type.
     */
    public static final String EXECUTION_SAMPLE = "jdk.ExecutionSample";

    private KfrEventNames() {
    }

    /** The collector (its agent option) that records events of {@code eventType}, or null. */
    public static String collectorOf(String eventType) {
        switch (eventType) {
            case OFF_CPU:
                return "offcpu";
            case CPU_SAMPLE:
                return "cpu";
            case PAGE_CACHE_MISS: case WORKING_SET:
                return "workingset";
            case HOT_PATH: case PT_SPAN:
                return "pt";
            default:
                return null;
        }
    }
}
