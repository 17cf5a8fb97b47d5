package io.kfr.collectors.offcpu;

import io.kfr.collectors.Counter;

/**
 * The off-CPU collector's own counters (the kernel's; native/include/kfr_records.h has the exact
 * rules). Every interval whose switch-in the program saw is counted in exactly one of
 * eventsRecorded, {@link #INTERVALS_AGGREGATED} (which includes {@link #RECORDS_LOST}) and recordsDropped;
 * see {@link io.kfr.collectors.CollectorStatistics}.
 */
public final class OffCpuCounters {
    public static final Counter INTERVALS_AGGREGATED = Counter.count("intervalsAggregated", "Intervals Aggregated",
            "Short intervals summed in the kernel, cumulative");
    public static final Counter RECORDS_LOST = Counter.count("recordsLost", "Records Lost",
            "Records not delivered individually (ring buffer full); their time is still in aggregates");
    public static final Counter DROPPED_TIME = Counter.nanos("droppedTime", "Dropped Time",
            "Off-CPU time of the dropped intervals");
    public static final Counter STACK_CACHE_HITS = Counter.count("stackCacheHits", "Stack Cache Hits",
            "Switch-outs that reused the thread's cached stacks instead of walking, cumulative");
    public static final Counter STORAGE_FALLBACKS = Counter.count("storageFallbacks", "Storage Fallbacks",
            "Switch-outs kept in a per-thread hash map because task storage could not be created (not lost)");
    public static final Counter STORAGE_ERRORS = Counter.count("storageErrors", "Storage Errors",
            "Switch-outs that could not be stored at all: those intervals are lost");
    public static final Counter MISSED_SWITCH_INS = Counter.count("missedSwitchIns", "Missed Switch-ins",
            "Switch-ins the kernel did not run kfr's program for; the intervals were recovered unless counted in "
                    + "Intervals Missed");
    public static final Counter INTERVALS_MISSED = Counter.count("intervalsMissed", "Intervals Missed",
            "Intervals lost because kfr's program did not see their switches; their time is unknown");
    public static final Counter EXCLUDED_SWITCHES = Counter.count("excludedSwitches", "Excluded Switches",
            "Switch-outs of kfr's own threads, not recorded by design");
    public static final Counter WAKEUPS = Counter.count("wakeups", "Wake-ups Seen",
            "Wake-ups of off-CPU intervals seen by the sched_waking program (their waker recorded), cumulative");
    public static final Counter WAKER_STACKS = Counter.count("wakerStacks", "Waker Stacks",
            "Wake-ups of intervals at or above the threshold, whose waker's stacks were taken, cumulative");
    public static final Counter WAKER_RUN_COUNT = Counter.count("wakerRunCount", "Waker Program Runs",
            "Runs of the sched_waking program (included in BPF Runs), cumulative");
    public static final Counter WAKER_RUN_TIME = Counter.nanos("wakerRunTime", "Waker Program Run Time",
            "CPU time of the sched_waking program (included in BPF Run Time), cumulative");
    public static final Counter PREEMPTED_UNSAMPLED = Counter.count("preemptedUnsampled", "Preempted, Stack Not Sampled",
            "Preempted switch-outs whose stacks were not taken (offcpu.preempted samples them); their time is exact, "
                    + "shared among the sampled stacks of the same thread, cumulative");
    public static final Counter PREEMPTED_LATE_STACKS = Counter.count("preemptedLateStacks", "Preempted, Stack Taken Late",
            "Of the preemptions not sampled, those that lasted the threshold and whose Java stack was walked when "
                    + "they ended, cumulative");

    private OffCpuCounters() {
    }
}
