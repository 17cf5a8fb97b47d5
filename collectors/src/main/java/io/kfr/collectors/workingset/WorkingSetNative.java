package io.kfr.collectors.workingset;

import java.nio.ByteBuffer;

/**
 * libkfr's working-set collector (native/src/workingset): its open, target, excluded thread and page
 * set. Poll, stacks, statistics, detach, wake and close are KfrNative's collector* functions.
 * Negative ints are -errno; see KfrNative.lastError.
 */
final class WorkingSetNative {
    private WorkingSetNative() {
    }

    /** Loads and attaches the programs for process tgid (0: none yet); a handle, 0 on failure. */
    static native long open(int tgid, long waitWindowNs, int ringBufferBytes);

    /**
     * Replaces the programs by ones with the HotSpot walker, sharing what was recorded so far (the
     * target must be this JVM): misses of Java threads carry their Java stacks from then on, while
     * {@link #javaOn} says so. Takes a second or more (the walker's verification). 0 or -errno
     * (-ENOTSUP: this JVM's layout is not known, KfrNative.javaFramesStatus says why).
     */
    static native int javaLoad(long handle);

    /** Misses of Java threads carry their Java stacks from now on (on), or no more; 0 or -errno. */
    static native int javaOn(long handle, boolean on);

    /** Records process tgid from now on (0: none). */
    static native int target(long handle, int tgid);

    /** Leaves thread tid out (0: none). */
    static native int exclude(long handle, int tid);

    /** The page set as (key, value) pairs of 40 bytes (dev, ino, chunk, pages, missed); how many. */
    static native int chunks(long handle, ByteBuffer directBuffer);
}
