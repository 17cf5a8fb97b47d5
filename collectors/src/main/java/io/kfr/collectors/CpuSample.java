package io.kfr.collectors;

import java.util.Objects;

/**
 * One CPU sample of a thread: where it was running when the sampling timer (or PMU counter) fired.
 * {@code weightNanos} is the CPU time the sample stands for (the sampling interval, or for an
 * event-count interval its estimated time); {@code cpu} the CPU it ran on. The stack is the
 * thread's at the sample: kernel frames if it was in the kernel, native frames, then Java frames.
 */
public final class CpuSample {
    private final ThreadRef thread;
    private final long epochNanos;
    private final int cpu;
    private final long weightNanos;
    private final StackTrace stack;

    public CpuSample(ThreadRef thread, long epochNanos, int cpu, long weightNanos, StackTrace stack) {
        this.thread = thread;
        this.epochNanos = epochNanos;
        this.cpu = cpu;
        this.weightNanos = weightNanos;
        this.stack = stack;
    }

    public ThreadRef thread() {
        return thread;
    }

    public long epochNanos() {
        return epochNanos;
    }

    public int cpu() {
        return cpu;
    }

    public long weightNanos() {
        return weightNanos;
    }

    public StackTrace stack() {
        return stack;
    }

    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof CpuSample)) {
            return false;
        }
        CpuSample o = (CpuSample) other;
        return Objects.equals(thread, o.thread) && epochNanos == o.epochNanos && cpu == o.cpu
                && weightNanos == o.weightNanos && Objects.equals(stack, o.stack);
    }

    @Override
    public int hashCode() {
        int h = 0;
        h = 31 * h + Objects.hashCode(thread);
        h = 31 * h + Long.hashCode(epochNanos);
        h = 31 * h + Integer.hashCode(cpu);
        h = 31 * h + Long.hashCode(weightNanos);
        h = 31 * h + Objects.hashCode(stack);
        return h;
    }

    @Override
    public String toString() {
        return "CpuSample[thread=" + thread + ", epochNanos=" + epochNanos + ", cpu=" + cpu
                + ", weightNanos=" + weightNanos + ", stack=" + stack + "]";
    }
}
