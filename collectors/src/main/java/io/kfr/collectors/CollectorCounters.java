package io.kfr.collectors;

/**
 * Counters that more than one collector fills: the cost of its BPF programs and of its own
 * thread, what it recorded and dropped, and its stacks. A collector's own counters are declared
 * next to it (e.g. offcpu.OffCpuCounters, hotspot.JavaWalkCounters).
 */
public final class CollectorCounters {
    public static final Counter BPF_RUN_COUNT = Counter.count("bpfRunCount", "BPF Runs",
            "How often kfr's BPF programs ran, cumulative (kernel BPF statistics)");
    public static final Counter BPF_RUN_TIME = Counter.nanos("bpfRunTime", "BPF Run Time",
            "CPU time spent in kfr's BPF programs, cumulative");
    public static final Counter EVENTS_RECORDED = Counter.count("eventsRecorded", "Events Recorded",
            "Records delivered individually, cumulative");
    public static final Counter RECORDS_DROPPED = Counter.count("recordsDropped", "Records Dropped",
            "Intervals lost entirely (aggregation map full)");
    public static final Counter STACK_ERRORS = Counter.count("stackErrors", "Stack Errors",
            "Stacks that could not be captured");
    public static final Counter UNKNOWN_FRAMES = Counter.count("unknownFrames", "Unknown Frames",
            "Frames that could not be named");
    public static final Counter STACK_COLLISIONS = Counter.count("stackCollisions", "Stack Map Collisions",
            "Stacks not taken because their stack-map bucket held another stack (included in Stack Errors)");
    public static final Counter STACK_EPOCHS = Counter.count("stackEpochs", "Stack Map Epochs",
            "Times the stack map of the epoch before last was cleared and taken again, so that new stacks find room");
    public static final Counter STACKS_EXPIRED = Counter.count("stacksExpired", "Stacks Expired",
            "Intervals whose stacks were taken two stack epochs before their end and cleared meanwhile"
                    + " (a thread off the CPU that long): shown as an expired-stack frame");

    public static final Counter STACK_WALKS = Counter.count("stackWalks", "Stack Walks",
            "Stacks walked in the kernel, cumulative");
    public static final Counter RECURSION_MISSES = Counter.count("recursionMisses", "Recursion Misses",
            "Program runs the kernel skipped because a kfr program was already running on that CPU");
    /** Filled by {@link CollectorWorker} for every collector: the CPU time of its thread. */
    public static final Counter COLLECTOR_CPU_TIME = Counter.nanos("collectorCpuTime", "Collector CPU Time",
            "CPU time of the collector's thread in user space (reading records, naming frames), cumulative");

    private CollectorCounters() {
    }
}
