package io.kfr.collectors;

import java.util.Objects;

/**
 * Off-CPU time of one thread. Either one interval at or above the threshold ({@code count == 1},
 * not aggregated) or the sum of {@code count} shorter intervals with the same thread, state,
 * stack and waker seen during one drain period ({@code aggregated}; then {@code startEpochNanos} is the
 * period's start and {@code durationNanos} the summed off-CPU time).
 * {@code syscall} is the syscall number the thread was blocked in, or -1 when not in a syscall.
 * {@code waker} is who woke the thread (sched_waking), or null: a thread that was preempted
 * (nobody wakes a runnable thread), no waker tracking, or an aggregated sample woken in an interrupt.
 * An aggregated sample's waker has a thread (of this JVM) or only the kind {@code other}, never a stack.
 */
public final class OffCpuSample {
    private final ThreadRef thread;
    private final long startEpochNanos;
    private final long durationNanos;
    private final OffCpuState state;
    private final int syscall;
    private final String syscallName;
    private final long count;
    private final boolean aggregated;
    private final StackTrace stack;
    private final Waker waker;

    public OffCpuSample(ThreadRef thread, long startEpochNanos, long durationNanos, OffCpuState state, int syscall,
            String syscallName, long count, boolean aggregated, StackTrace stack, Waker waker) {
        this.thread = thread;
        this.startEpochNanos = startEpochNanos;
        this.durationNanos = durationNanos;
        this.state = state;
        this.syscall = syscall;
        this.syscallName = syscallName;
        this.count = count;
        this.aggregated = aggregated;
        this.stack = stack;
        this.waker = waker;
    }

    public ThreadRef thread() {
        return thread;
    }

    public long startEpochNanos() {
        return startEpochNanos;
    }

    public long durationNanos() {
        return durationNanos;
    }

    public OffCpuState state() {
        return state;
    }

    public int syscall() {
        return syscall;
    }

    public String syscallName() {
        return syscallName;
    }

    public long count() {
        return count;
    }

    public boolean aggregated() {
        return aggregated;
    }

    public StackTrace stack() {
        return stack;
    }

    public Waker waker() {
        return waker;
    }

    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof OffCpuSample)) {
            return false;
        }
        OffCpuSample o = (OffCpuSample) other;
        return Objects.equals(thread, o.thread) && startEpochNanos == o.startEpochNanos
                && durationNanos == o.durationNanos && Objects.equals(state, o.state) && syscall == o.syscall
                && Objects.equals(syscallName, o.syscallName) && count == o.count && aggregated == o.aggregated
                && Objects.equals(stack, o.stack) && Objects.equals(waker, o.waker);
    }

    @Override
    public int hashCode() {
        int h = 0;
        h = 31 * h + Objects.hashCode(thread);
        h = 31 * h + Long.hashCode(startEpochNanos);
        h = 31 * h + Long.hashCode(durationNanos);
        h = 31 * h + Objects.hashCode(state);
        h = 31 * h + Integer.hashCode(syscall);
        h = 31 * h + Objects.hashCode(syscallName);
        h = 31 * h + Long.hashCode(count);
        h = 31 * h + Boolean.hashCode(aggregated);
        h = 31 * h + Objects.hashCode(stack);
        h = 31 * h + Objects.hashCode(waker);
        return h;
    }

    @Override
    public String toString() {
        return "OffCpuSample[thread=" + thread + ", startEpochNanos=" + startEpochNanos
                + ", durationNanos=" + durationNanos + ", state=" + state + ", syscall=" + syscall
                + ", syscallName=" + syscallName + ", count=" + count + ", aggregated=" + aggregated
                + ", stack=" + stack + ", waker=" + waker + "]";
    }


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
    public static final class Waker {
        private final String kind;
        private final ThreadRef thread;
        private final StackTrace stack;

        public Waker(String kind, ThreadRef thread, StackTrace stack) {
            this.kind = kind;
            this.thread = thread;
            this.stack = stack;
        }

        public String kind() {
            return kind;
        }

        public ThreadRef thread() {
            return thread;
        }

        public StackTrace stack() {
            return stack;
        }

        @Override
        public boolean equals(Object other) {
            if (this == other) {
                return true;
            }
            if (!(other instanceof Waker)) {
                return false;
            }
            Waker o = (Waker) other;
            return Objects.equals(kind, o.kind) && Objects.equals(thread, o.thread) && Objects.equals(stack, o.stack);
        }

        @Override
        public int hashCode() {
            int h = 0;
            h = 31 * h + Objects.hashCode(kind);
            h = 31 * h + Objects.hashCode(thread);
            h = 31 * h + Objects.hashCode(stack);
            return h;
        }

        @Override
        public String toString() {
            return "Waker[kind=" + kind + ", thread=" + thread + ", stack=" + stack + "]";
        }

        public static final String THREAD = "thread";
        public static final String TIMER = "timer";
        public static final String INTERRUPT = "interrupt";
        public static final String OTHER = "other";
    }
}
