package io.kfr.collectors.workingset;

import io.kfr.collectors.CollectorCounters;
import io.kfr.collectors.Counter;

/** The working-set collector's statistics: the counters of kfr.CollectorStatistics it fills. */
public final class WorkingSetCounters {
    /** Tracepoint hits of this JVM's threads (reads, faults, page-cache adds). */
    public static final Counter EVENTS = CollectorCounters.EVENTS_RECORDED;
    /** Records or pages the kernel side could not keep (ring buffer or page map full). */
    public static final Counter DROPPED = CollectorCounters.RECORDS_DROPPED;

    /** The kernel's BPF statistics of the miss program alone (it walks the Java stacks): its cost per miss. */
    public static final Counter MISS_RUN_COUNT = Counter.count("missRunCount", "Miss Program Runs",
            "Runs of the working-set collector's page-cache miss program (included in bpfRunCount)");
    public static final Counter MISS_RUN_TIME = Counter.nanos("missRunTime", "Miss Program Run Time",
            "Run time of the working-set collector's page-cache miss program, stacks included (included in bpfRunTime)");

    /** Pages this JVM's write system calls added to the page cache: new data, not reads, so neither in the set nor misses. */
    public static final Counter WRITE_ADDS = Counter.count("writeAdds", "Pages Added by Writes",
            "Pages the JVM's write system calls added to the page cache (new data, not reads: neither in the working set nor misses)");

    private WorkingSetCounters() {
    }
}
