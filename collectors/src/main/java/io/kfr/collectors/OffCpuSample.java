package io.kfr.collectors;

/**
 * Off-CPU time of one thread. Either one interval at or above the threshold ({@code count == 1},
 * not aggregated) or the sum of {@code count} shorter intervals with the same thread, state and
 * stack seen during one drain period ({@code aggregated}; then {@code startEpochNanos} is the
 * period's start and {@code durationNanos} the summed off-CPU time).
 * {@code syscall} is the syscall number the thread was blocked in, or -1 when not in a syscall.
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
        StackTrace stack) {
}
