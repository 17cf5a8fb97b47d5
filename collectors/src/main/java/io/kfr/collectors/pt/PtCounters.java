package io.kfr.collectors.pt;

import io.kfr.collectors.Counter;

/** The pt collector's own counters of kfr.CollectorStatistics: its JVMTI code sideband and what it stopped. */
public final class PtCounters {
    public static final Counter SIDEBAND_RECORDS = Counter.count("sidebandRecords", "Sideband Records",
            "JIT code loads, unloads and generated stubs the pt collector's JVMTI sideband recorded, cumulative");
    public static final Counter SIDEBAND_DROPPED = Counter.count("sidebandDropped", "Sideband Records Dropped",
            "Sideband records dropped, oldest first, to keep it bounded (65536 records)");
    public static final Counter UNLOAD_BYTES = Counter.count("unloadBytesCopied", "Unloaded Code Copied",
            "Bytes of freed JIT code the sideband copied at the unload, for traces taken before it");
    public static final Counter UNLOADS_NOT_COPIED = Counter.count("unloadsNotCopied", "Unloads Not Copied",
            "Unloads recorded without their bytes: the 8 MB budget spent, or their load not seen");
    public static final Counter CODE_CHANGED_STOPS = Counter.count("codeChangedStops", "Code Changed Stops",
            "Decode stops where the JIT code was compiled, generated or freed after the trace's time and its bytes of then are not known");

    private PtCounters() {
    }
}
