package io.kfr.collectors.probe;

/**
 * JNI entry points of libkfr's probes (native/src/probe_jni.c, probe_bpf.c, probe_perf.c): each
 * asks the kernel for real (a tiny program or map loaded, a perf event opened) and releases what
 * it opened at once. 0 means the feature works; otherwise a positive errno, with a one-line
 * reason in {@link io.kfr.collectors.natives.KfrNative#lastError()}.
 */
final class ProbeNative {
    private ProbeNative() {
    }

    /** Loads, and where kfr attaches one, attaches: tracepoint, raw_tp, tp_btf, perf_event, kprobe, fentry. */
    static native int program(String kind);

    /** Creates a map: ringbuf, task_storage, stack_trace, hash, lru_hash, percpu_array. */
    static native int map(String kind);

    /** Whether the verifier offers bpf_{helper} to programs of kind tp_btf, raw_tp or perf_event. */
    static native int helper(String programKind, String helper);

    /** BPF_ENABLE_STATS (the run counts and times in kfr.CollectorStatistics). */
    static native int bpfStats();

    /** cpu-clock (CPU-wide, as the sampler opens it), cpu-clock-self, cycles, intel_pt. */
    static native int perf(String kind);

    /** Whether the kernel's BTF has tracepoint {@code name} (what tp_btf and raw_tp attach to). */
    static native int tracepoint(String name);

    /** "" when kfr's Java-frame walker can read this JVM's HotSpot layout, else why not. */
    static native String hotspotLayout();
}
