package io.kfr.collectors;

/**
 * Off-CPU time of one thread. Either one interval at or above the threshold ({@code count == 1},
 * not aggregated) or the sum of {@code count} shorter intervals with the same thread, state and
 * stack seen during one drain period ({@code aggregated}; then {@code startEpochNanos} is the
 * period's start and {@code durationNanos} the summed off-CPU time).
 * {@code syscall} is the syscall number the thread was blocked in, or -1 when not in a syscall.
 * {@code waker} is who woke the thread (sched_waking), or null: an aggregated sample, a thread that
 * was preempted (nobody wakes a runnable thread), or no waker tracking.
 */
public record OffCpuSample(
        ThreadRef thread,
        long startEpochNanos,
        long durationNanos,
        OffCpuState state,
        int syscall,
        String syscallName,
        long count,
        boolean aggregated,
        StackTrace stack,
        Waker waker) {

    public OffCpuSample(ThreadRef thread, long startEpochNanos, long durationNanos, OffCpuState state, int syscall,
                        String syscallName, long count, boolean aggregated, StackTrace stack) {
        this(thread, startEpochNanos, durationNanos, state, syscall, syscallName, count, aggregated, stack, null);
    }

    /**
     * Who woke the thread. {@code kind}: {@link #THREAD} (a thread of this JVM, {@code thread} set),
     * {@link #TIMER} (a timer expired in an interrupt: a timed wait or sleep ran out),
     * {@link #INTERRUPT} (an interrupt or softirq, e.g. an I/O completion), {@link #OTHER} (another
     * process or a kernel thread; {@code thread} names it). {@code stack} (kernel frames, and for
     * a thread of this JVM its native and Java frames) is taken only for intervals that had
     * lasted the threshold at the wake-up; null otherwise.
     */
    public record Waker(String kind, ThreadRef thread, StackTrace stack) {
        public static final String THREAD = "thread";
        public static final String TIMER = "timer";
        public static final String INTERRUPT = "interrupt";
        public static final String OTHER = "other";
    }
}
