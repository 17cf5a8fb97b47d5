package io.kfr.collectors;

import java.time.Instant;

/**
 * Converts CLOCK_MONOTONIC nanoseconds (bpf_ktime_get_ns, and System.nanoTime on Linux) to epoch
 * nanoseconds. The offset is measured once, taking the pair with the tightest bracket.
 */
public final class Clocks {
    private static final long MONO_TO_EPOCH = measureOffset();

    private Clocks() {
    }

    public static long monotonicToEpochNanos(long monotonicNanos) {
        return monotonicNanos + MONO_TO_EPOCH;
    }

    public static long nowEpochNanos() {
        return monotonicToEpochNanos(System.nanoTime());
    }

    private static long measureOffset() {
        long best = 0;
        long bestWidth = Long.MAX_VALUE;
        for (int i = 0; i < 20; i++) {
            long before = System.nanoTime();
            Instant now = Instant.now();
            long after = System.nanoTime();
            if (after - before < bestWidth) {
                bestWidth = after - before;
                long epoch = now.getEpochSecond() * 1_000_000_000L + now.getNano();
                best = epoch - (before + (after - before) / 2);
            }
        }
        return best;
    }
}
