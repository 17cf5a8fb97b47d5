package io.kfr.collectors;

/**
 * One CPU sample of a thread: where it was running when the sampling timer (or PMU counter) fired.
 * {@code weightNanos} is the CPU time the sample stands for (the sampling interval, or for an
 * event-count interval its estimated time); {@code cpu} the CPU it ran on. The stack is the
 * thread's at the sample: kernel frames if it was in the kernel, native frames, then Java frames.
 */
public record CpuSample(ThreadRef thread, long epochNanos, int cpu, long weightNanos, StackTrace stack) {
}
