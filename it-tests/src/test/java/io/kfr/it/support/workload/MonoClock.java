package io.kfr.it.support.workload;

/** The workloads' link between System.nanoTime (CLOCK_MONOTONIC) and epoch time, which kfr's events use. */
final class MonoClock {
    private MonoClock() {
    }

    /** Epoch nanos minus System.nanoTime, from the tightest of a few readings. */
    static long monoToEpoch() {
        long best = 0;
        long width = Long.MAX_VALUE;
        for (int i = 0; i < 50; i++) {
            long a = System.nanoTime();
            java.time.Instant now = java.time.Instant.now();
            long b = System.nanoTime();
            if (b - a < width) {
                width = b - a;
                best = now.getEpochSecond() * 1_000_000_000L + now.getNano() - (a + (b - a) / 2);
            }
        }
        return best;
    }
}
