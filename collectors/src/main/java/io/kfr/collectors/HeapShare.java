package io.kfr.collectors;

/**
 * Sizes kfr's caches on the Java heap by the application's heap: full size from a 1 GiB heap up,
 * halved with each halving of the heap, down to a thirty-second of it at 32 MiB and below. The caches only save CPU (a miss resolves or
 * encodes again), so a small heap trades a little of kfr's CPU for the application's memory.
 * Measured bounds: docs/safety.md, "Heap".
 */
public final class HeapShare {
    /** The heap from which every cache has its full size. */
    private static final long FULL_FROM_BYTES = 1L << 30;
    /** The least share: at 32 MiB of heap and below. */
    private static final int MAX_DIVISOR = 32;
    private static final int DIVISOR = divisor(Runtime.getRuntime().maxMemory());

    private HeapShare() {
    }

    /** {@code full} entries scaled to this JVM's heap, at least {@code least}. */
    public static int entries(int full, int least) {
        return Math.max(least, full / DIVISOR);
    }

    /** As {@link #entries}, rounded down to a power of two (direct-mapped tables). */
    public static int powerOfTwo(int full, int least) {
        return Integer.highestOneBit(entries(full, least));
    }

    /** 1 (full size) to {@link #MAX_DIVISOR}, a power of two, for a heap of {@code maxHeapBytes}. */
    static int divisor(long maxHeapBytes) {
        int d = 1;
        while (d < MAX_DIVISOR && maxHeapBytes < FULL_FROM_BYTES / d) {
            d *= 2;
        }
        return d;
    }
}
