package io.kfr.collectors.pt;

import java.util.ArrayList;
import java.util.List;

/**
 * The JVM's own sideband for decoding its PT traces: from JVMTI, when each piece of JIT code was
 * compiled (CompiledMethodLoad), freed (CompiledMethodUnload: its bytes copied then, up to JDK 19,
 * see {@link #COPIES_UNLOADED_CODE}) and when each stub was generated (DynamicCodeGenerated: the interpreter,
 * adapters, runtime stubs, with their names), each with its TSC and CLOCK_MONOTONIC time. What
 * {@code perf inject} adds to a perf.data for a JIT, here in memory next to the traces: a snapshot's
 * image takes it ({@link PtImage#addSideband}), so a trace is decoded over the code of its own
 * time, and stops, counted, where that code is not known. Bounded: {@value #MAX_RECORDS} records
 * (the oldest dropped, counted) and {@value #UNLOAD_BUDGET_BYTES} bytes of freed code (an unload
 * over it is recorded without its bytes, counted). One per JVM; the {@code pt} collector starts
 * and stops it.
 */
public final class PtSideband {
    static final int MAX_RECORDS = 65536;
    /**
     * Whether an unload's bytes are copied at its event: up to JDK 19 the sweeper freed an
     * nmethod's memory only sweeps after it was unloaded, so the bytes at the event were still the
     * method's; from JDK 20 on the GC frees it at once and the event comes later (on JDK 25 a copy
     * held other bytes), so no copy is made and a trace over code freed since stops, counted
     * (native/src/pt/pt_sideband.c).
     */
    public static final boolean COPIES_UNLOADED_CODE = Runtime.version().feature() < 20;
    static final long UNLOAD_BUDGET_BYTES = 8L << 20;

    /** {@link #stats} slots (native/src/pt/pt_sideband.h, enum kfr_pt_sb_stat). */
    public static final int STAT_RECORDS = 0, STAT_DROPPED = 1, STAT_UNLOAD_BYTES = 2, STAT_OVER_BUDGET = 3,
            STAT_CALLBACK_NANOS = 4, STAT_LOADS = 5, STAT_UNLOADS = 6, STAT_DYNAMICS = 7, STAT_KEPT = 8;
    private static final int STATS = 9;

    private PtSideband() {
    }

    /**
     * Starts recording (and reports the code that exists now). Returns null, or one line saying why
     * it cannot run: the collector then decodes over the snapshot's copy alone. Never throws.
     */
    public static String start() {
        String error = PtNative.load();
        if (error != null) {
            return error;
        }
        try {
            return PtSidebandNative.start(COPIES_UNLOADED_CODE);
        } catch (UnsatisfiedLinkError e) {
            return "pt sideband: " + e.getMessage();
        }
    }

    /** Stops recording and frees the records. */
    public static void stop() {
        if (PtNative.isLoaded()) {
            PtSidebandNative.stop();
        }
    }

    public static boolean running() {
        return PtNative.isLoaded() && PtSidebandNative.running();
    }

    /** Counters since the start, per STAT_*: zeros when it never ran. */
    public static long[] stats() {
        return PtNative.isLoaded() ? PtSidebandNative.stats() : new long[STATS];
    }

    /** rdtsc now. */
    public static long tsc() {
        PtNative.load();
        return PtSidebandNative.tsc();
    }

    /** The records held, oldest first; with the unloads' copied bytes when withBytes. */
    public static List<PtSidebandRecord> records(boolean withBytes) {
        return records(1 << PtSidebandRecord.LOAD | 1 << PtSidebandRecord.UNLOAD | 1 << PtSidebandRecord.DYNAMIC, withBytes);
    }

    /** The dynamic code records (stubs and their names). */
    public static List<PtSidebandRecord> dynamicCode() {
        return records(1 << PtSidebandRecord.DYNAMIC, false);
    }

    private static List<PtSidebandRecord> records(int kinds, boolean withBytes) {
        if (!PtNative.isLoaded()) {
            return List.of();
        }
        Object[] r = PtSidebandNative.records(kinds, withBytes);
        if (r == null) {
            throw new OutOfMemoryError("pt sideband records");
        }
        long[] packed = (long[]) r[0];
        String[] names = (String[]) r[1];
        byte[][] bytes = (byte[][]) r[2];
        List<PtSidebandRecord> out = new ArrayList<>(names.length);
        for (int i = 0; i < names.length; i++) {
            out.add(new PtSidebandRecord(packed, i * PtSidebandNative.RECORD_LONGS, names[i], bytes[i]));
        }
        return out;
    }

    /** "Lclass;\tname\tdescriptor" of a record's method, or null (its class unloaded, not running). */
    public static String methodName(long method) {
        return PtNative.isLoaded() ? PtSidebandNative.methodName(method) : null;
    }
}
