package io.kfr.collectors.workingset;

import java.nio.ByteBuffer;

/** libkfr's working-set collector (native/src/workingset). Negative ints are -errno; see KfrNative.lastError. */
final class WorkingSetNative {
    private WorkingSetNative() {
    }

    /** Loads and attaches the programs for process tgid (0: none yet); a handle, 0 on failure. */
    static native long open(int tgid, long waitWindowNs, int ringBufferBytes);

    /** Records process tgid from now on (0: none). */
    static native int target(long handle, int tgid);

    /** Leaves thread tid out (0: none). */
    static native int exclude(long handle, int tid);

    /** Records into the direct buffer, each (u32 size, u32 0, record, padding to 8); bytes used. */
    static native int poll(long handle, ByteBuffer directBuffer, int timeoutMs);

    /** The page set as (key, value) pairs of 40 bytes (dev, ino, chunk, pages, missed); how many. */
    static native int chunks(long handle, ByteBuffer directBuffer);

    /** Counters (WorkingSetRecords.CNT_*) into out. */
    static native int counters(long handle, long[] out);

    /** A stack's instruction pointers into out; how many. */
    static native int stack(long handle, int stackId, long[] out);

    static native void close(long handle);
}
