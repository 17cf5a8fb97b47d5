package io.kfr.collectors.natives;

import java.nio.ByteBuffer;

/**
 * JNI entry points of libkfr.so (native/src/libkfr_jni.c). JNI rather than JNA: JNA's dispatch
 * library is bound to the package com.sun.jna and cannot be relocated inside the agent jar, and an
 * unrelocated JNA would clash with the application's own copy.
 *
 * Failures return 0 / a negative value and leave a one-line message for {@link #lastError()}.
 * Handles are opaque pointers; every call validates them against libkfr's own table.
 */
public final class KfrNative {
    private KfrNative() {
    }

    /** Last error message of the calling thread, or null. */
    public static native String lastError();

    /** libkfr's version string (also proves the library loaded). */
    public static native String version();

    /**
     * Loads and attaches the off-CPU BPF programs for all threads of process {@code tgid}.
     * @param thresholdNs intervals at or above go through the ring buffer, shorter ones are aggregated
     * @param ringBufferBytes ring buffer size (power of two, multiple of the page size)
     * @return a handle, or 0 on failure (see lastError)
     */
    public static native long offcpuOpen(int tgid, long thresholdNs, int ringBufferBytes);

    /** Which attachment is in use: "tp_btf" or "raw_tp". */
    public static native String offcpuAttachMode(long handle);

    /**
     * Waits up to {@code timeoutMs} for events and copies whole records (struct kfr_offcpu_event,
     * 48 bytes each) into the direct buffer from position 0.
     * @return number of records copied (0 on timeout), negative errno on error
     */
    public static native int offcpuPoll(long handle, ByteBuffer directBuffer, int timeoutMs);

    /**
     * Swaps the aggregation maps, waits for programs still writing the old one, and copies its
     * entries (key + value, 40 bytes each) into the direct buffer, deleting them from the map.
     * If the buffer is too small the rest stays in the map and is returned by the next call with
     * {@code swap == false}.
     * @return number of entries copied, negative errno on error
     */
    public static native int offcpuDrainAggregates(long handle, ByteBuffer directBuffer, boolean swap);

    /** Copies the instruction pointers of a stack map entry into ips. @return frame count, 0 if absent */
    public static native int offcpuStack(long handle, int stackId, long[] ips);

    /** Fills {@code out} (length >= KFR_STAT__LEN, see kfr_records.h) with counters and BPF stats. */
    public static native void offcpuStats(long handle, long[] out);

    /** Detaches and frees everything of this handle. Safe to call twice. */
    public static native void offcpuClose(long handle);
}
