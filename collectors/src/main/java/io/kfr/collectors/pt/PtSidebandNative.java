package io.kfr.collectors.pt;

/** libkfr_pt's JVMTI code sideband (native/src/pt/pt_sideband_jni.c); PtNative loads the library. */
final class PtSidebandNative {
    /** longs per packed record: kind, beforeStart, address, size, tsc, monotonic ns, jmethodID, load tsc. */
    static final int RECORD_LONGS = 8;

    private PtSidebandNative() {
    }

    /** Starts recording; null, or one line saying why not. */
    static native String start(boolean copyUnloadedCode);

    static native void stop();

    static native boolean running();

    /** Per PtSideband.STAT_*. */
    static native long[] stats();

    /** rdtsc now: the time base of the records and of the trace's timing packets. */
    static native long tsc();

    /**
     * The records held, oldest first, of the kinds in the mask (bit 1 << kind): {long[] packed,
     * String[] names, byte[][] bytes (unloads' copies, when withBytes)}; null when out of memory.
     */
    static native Object[] records(int kinds, boolean withBytes);

    /** "Lclass;\tname\tdescriptor" of a jmethodID, or null (its class unloaded). */
    static native String methodName(long method);
}
