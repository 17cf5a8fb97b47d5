package io.kfr.collectors.pt;

import java.nio.ByteBuffer;

/**
 * The PT perf path of libkfr_pt (native/src/pt/pt_perf*.c): the intel_pt PMU from sysfs, one
 * traced event per thread with its AUX area in snapshot mode, address filters, snapshots. Negative
 * ints are -errno; {@code why[0]} gets the one-line reason with its fix.
 */
final class PtPerfNative {
    private PtPerfNative() {
    }

    /** Loads libkfr_pt (these functions live there, next to the decoder); null, or one line saying why not. */
    static String load() {
        return PtNative.load();
    }

    /** The PMU at {@code pmuDir} in words ("type=8 ranges=2 pt=0:0-0 ..."), or "!why" when it cannot be used. */
    static native String pmu(String pmuDir);

    /** A session on the PMU at {@code pmuDir} (no thread traced yet); 0 with why[0] when refused. */
    static native long open(String pmuDir, long auxBytes, int flags, String[] why);

    /** AUX ring bytes per thread the session maps (a power of two pages). */
    static native long auxBytes(long handle);

    /** Traces thread tid from now on: 0, 1 if already traced, -errno with why[0]. */
    static native int addThread(long handle, int tid, String[] why);

    /** Stops tracing tid (it ended); 1 if it was traced. */
    static native int removeThread(long handle, int tid);

    /** Sets the address filter on every traced thread and on those added later; 0 or -errno with why[0]. */
    static native int setFilter(long handle, String filter, String[] why);

    /** The traced tids into {@code out} (as many as fit); how many are traced. */
    static native int threads(long handle, int[] out);

    /**
     * Copies tid's AUX ring, oldest first, into {@code dst} (a direct buffer); bytes copied or -errno.
     * info: aux_head, wrapped (0/1), time_zero, time_mult, time_shift (-1 when unknown).
     */
    static native long snapshot(long handle, int tid, ByteBuffer dst, long[] info);

    static native void close(long handle);

    /** The snapshot's ring copy alone, on a ring in memory: the newest bytes ending at head, oldest first. */
    static native long ringCopy(ByteBuffer ring, long head, ByteBuffer dst);

    /** {config word, low bit, high bit} of a format term of the PMU at pmuDir ({-2, 0, 0}: not the kernel's syntax), or null if it has none. */
    static native int[] formatField(String pmuDir, String term);
}
