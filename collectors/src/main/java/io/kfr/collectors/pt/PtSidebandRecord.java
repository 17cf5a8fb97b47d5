package io.kfr.collectors.pt;

/**
 * One record of the JVMTI code sideband: JIT code compiled (a CompiledMethodLoad), freed (a
 * CompiledMethodUnload, with a copy of its bytes as they were), or a stub generated (a
 * DynamicCodeGenerated: the interpreter, adapters, runtime stubs), and when.
 */
public final class PtSidebandRecord {
    public static final int LOAD = 1;
    public static final int UNLOAD = 2;
    public static final int DYNAMIC = 3;

    public final int kind;
    /** Reported at the sideband's start: the code existed then, since a time not known (tsc 0). */
    public final boolean beforeStart;
    public final long address;
    /** Bytes of code: of an unload, the size its load reported (0 if that load was not seen). */
    public final long size;
    /** rdtsc at the callback (the trace's time base); 0 when {@link #beforeStart}. */
    public final long tsc;
    /** CLOCK_MONOTONIC ns at the callback (System.nanoTime's clock). */
    public final long monotonicNanos;
    /** The jmethodID of a load or unload, else 0. */
    public final long method;
    /** Of an unload: the tsc of its load (0: not seen, or before the start). */
    public final long loadTsc;
    /** Of a dynamic code record: its name (cut to 63 bytes), else null. */
    public final String name;
    /** Of an unload: the code's bytes copied at the unload; null when over the budget or not asked for. */
    public final byte[] bytes;

    PtSidebandRecord(long[] packed, int at, String name, byte[] bytes) {
        this.kind = (int) packed[at];
        this.beforeStart = packed[at + 1] != 0;
        this.address = packed[at + 2];
        this.size = packed[at + 3];
        this.tsc = packed[at + 4];
        this.monotonicNanos = packed[at + 5];
        this.method = packed[at + 6];
        this.loadTsc = packed[at + 7];
        this.name = name;
        this.bytes = bytes;
    }

    /** Whether ip lies in [address, address + size). */
    public boolean contains(long ip) {
        return ip - address >= 0 && ip - address < size;
    }

    @Override
    public String toString() {
        String k = kind == LOAD ? "load" : kind == UNLOAD ? "unload" : kind == DYNAMIC ? "dynamic" : "kind " + kind;
        return k + " 0x" + Long.toHexString(address) + "+" + size + (beforeStart ? " (before start)" : " tsc " + tsc)
                + (name != null ? " " + name : "") + (bytes != null ? " (" + bytes.length + " bytes copied)" : "");
    }
}
