package io.kfr.collectors;

/**
 * What a collector cost and what it could not record, cumulative since it started.
 * bpfRunCount / bpfRunTimeNanos come from the kernel's BPF statistics (BPF_ENABLE_STATS).
 * recordsLost counts records that were not delivered individually (ring buffer full; their time is
 * still counted in aggregates), recordsDropped counts intervals lost entirely (aggregation map
 * full), with droppedNanos their off-CPU time. stackWalks / stackCacheHits: stacks walked in the
 * kernel, and switch-outs that reused the thread's cached stack ids instead.
 */
public record CollectorStatistics(
        long epochNanos,
        String collector,
        long bpfRunCount,
        long bpfRunTimeNanos,
        long eventsRecorded,
        long intervalsAggregated,
        long recordsLost,
        long recordsDropped,
        long droppedNanos,
        long stackErrors,
        long unknownFrames,
        long stackWalks,
        long stackCacheHits) {
}
