package io.kfr.collectors.workingset;

import io.kfr.collectors.CollectorCounters;
import io.kfr.collectors.Counter;

/** The working-set collector's statistics: the counters of kfr.CollectorStatistics it fills. */
public final class WorkingSetCounters {
    /** Tracepoint hits of this JVM's threads (reads, faults, page-cache adds). */
    public static final Counter EVENTS = CollectorCounters.EVENTS_RECORDED;
    /** Records or pages the kernel side could not keep (ring buffer or page map full). */
    public static final Counter DROPPED = CollectorCounters.RECORDS_DROPPED;

    private WorkingSetCounters() {
    }
}
