package io.kfr.collectors;

/**
 * What a collector cost and what it could not record, cumulative since it started. The counters
 * of the off-CPU collector are the kernel's (native/src/offcpu/offcpu_records.h has the exact rules).
 * <p>
 * Cost: {@code bpfRunCount} / {@code bpfRunTimeNanos} come from the kernel's BPF statistics
 * (BPF_ENABLE_STATS), summed over the collector's programs; {@code stackWalks} are stacks walked
 * in the kernel, {@code stackCacheHits} switch-outs that reused the thread's cached stack ids
 * instead.
 * <p>
 * Accounting. Every off-CPU interval whose end (switch-in) the kernel program saw is counted in
 * exactly one of
 * <ul>
 * <li>{@code eventsRecorded}: delivered individually, one sample each ({@code count == 1},
 * not aggregated);</li>
 * <li>{@code intervalsAggregated}: summed in the kernel and delivered in aggregated samples
 * (their {@code count}s add up to it); this includes the {@code recordsLost} intervals, which were
 * long enough for an individual sample but found the ring buffer full;</li>
 * <li>{@code recordsDropped}: lost because the aggregation map was full, with
 * {@code droppedNanos} their off-CPU time.</li>
 * </ul>
 * So, in the final statistics (taken after the collector stopped: the program is detached first,
 * then the ring buffer and aggregation maps are drained, then the counters read), the individual
 * samples delivered == {@code eventsRecorded} and the sum of {@code count} over aggregated samples
 * == {@code intervalsAggregated}. Periodic statistics are taken while the kernel keeps counting,
 * so there the counters run ahead of what was delivered.
 * <p>
 * Intervals the program could not complete are counted where they are lost:
 * {@code storageErrors} (a switch-out could not be stored: interval lost),
 * {@code intervalsMissed} (the kernel switched the thread without running the program and the
 * interval could not be recovered: lost, off-CPU time unknown). {@code missedSwitchIns} counts
 * switch-ins the program did not see; those intervals were recovered (ended at the thread's last
 * arrival on a CPU) unless they are in {@code intervalsMissed}. {@code recursionMisses} counts
 * program runs the kernel skipped because one of the collector's programs was already running on
 * that CPU (each can cause a missed switch). {@code storageFallbacks} counts switch-outs kept in a
 * per-thread hash map because the task storage could not be created (not lost).
 * {@code excludedSwitches} counts switch-outs of kfr's own threads, which are not recorded by
 * design. {@code stackErrors} are intervals recorded without a (kernel or user) stack,
 * {@code unknownFrames} frames that could not be named (native and Java).
 * {@code collectorCpuNanos} is the CPU time of the collector's own thread in user space (reading
 * records, naming frames and stacks, delivering samples).
 * {@code java} is the HotSpot walker's work: see {@link JavaWalks}.
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
        long stackCacheHits,
        long storageFallbacks,
        long storageErrors,
        long missedSwitchIns,
        long intervalsMissed,
        long recursionMisses,
        long excludedSwitches,
        long collectorCpuNanos,
        JavaWalks java,
        Wakers wakers) {

    public CollectorStatistics(long epochNanos, String collector, long bpfRunCount, long bpfRunTimeNanos,
                               long eventsRecorded, long intervalsAggregated, long recordsLost, long recordsDropped,
                               long droppedNanos, long stackErrors, long unknownFrames, long stackWalks,
                               long stackCacheHits, long storageFallbacks, long storageErrors, long missedSwitchIns,
                               long intervalsMissed, long recursionMisses, long excludedSwitches,
                               long collectorCpuNanos, JavaWalks java) {
        this(epochNanos, collector, bpfRunCount, bpfRunTimeNanos, eventsRecorded, intervalsAggregated, recordsLost,
                recordsDropped, droppedNanos, stackErrors, unknownFrames, stackWalks, stackCacheHits,
                storageFallbacks, storageErrors, missedSwitchIns, intervalsMissed, recursionMisses, excludedSwitches,
                collectorCpuNanos, java, Wakers.NONE);
    }

    /**
     * Waker tracking (the sched_waking program), cumulative: wake-ups of pending intervals seen,
     * of those the ones whose waker stacks were taken (interval at the threshold by then), and the
     * program's own run count and run time (also included in bpfRunCount/bpfRunTime).
     */
    public record Wakers(long wakeups, long stacks, long runCount, long runNanos) {
        public static final Wakers NONE = new Wakers(0, 0, 0, 0);
    }

    /**
     * The Java stack walker in the kernel, cumulative: {@code walks} Java stacks walked taking
     * {@code walkNanos} and producing {@code frames} physical frames; {@code cacheHits} switch-outs
     * that reused a walk because the stack slots it read were unchanged, {@code verifyMisses} cached
     * contexts whose slots had changed (walked again); {@code noAnchor} switch-outs of Java threads
     * with no Java frames to walk (running Java code when preempted, or not yet in Java);
     * {@code broken} walks that stopped at a frame they could not follow, {@code truncated} walks
     * cut at 256 frames; {@code stacksSent} new stacks announced, {@code stacksLost} those the ring
     * buffer had no room for; {@code fromRegisters} walks started from the registers of a thread
     * preempted while running Java code (it had no anchor).
     */
    public record JavaWalks(long walks, long walkNanos, long frames, long cacheHits, long verifyMisses, long noAnchor,
                            long broken, long truncated, long stacksSent, long stacksLost, long fromRegisters) {
        public static final JavaWalks NONE = new JavaWalks(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    }
}
