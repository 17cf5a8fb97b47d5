/* What this machine allows, probed for real (for `kfr doctor`): tiny BPF programs and maps loaded
 * into the kernel, perf events opened and closed at once. Every probe returns 0 when the feature
 * works, else a positive errno with a one-line reason in kfr_last_error(); nothing stays open. */
#ifndef KFR_PROBE_H
#define KFR_PROBE_H

/* Loads (and where kfr attaches it, attaches then detaches) a two-instruction program.
 * kind: "tracepoint", "raw_tp", "tp_btf", "perf_event", "kprobe", "fentry". */
int kfr_probe_prog(const char *kind);

/* Creates a small map. kind: "ringbuf", "task_storage", "stack_trace", "hash", "lru_hash",
 * "percpu_array". */
int kfr_probe_map(const char *kind);

/* Whether the verifier knows helper in prog ("tp_btf", "raw_tp", "perf_event"): a program calling
 * it is loaded; a rejection of the (missing) arguments still means the helper exists.
 * EOPNOTSUPP: the kernel does not offer it to that program type. */
int kfr_probe_helper(const char *prog, const char *helper);

/* The kernel's BPF run-time statistics (BPF_ENABLE_STATS; needs CAP_SYS_ADMIN). */
int kfr_probe_bpf_stats(void);

/* Opens and closes a perf event. kind: "cpu-clock" (one per CPU for every process, as kfr's
 * sampler opens it), "cpu-clock-self" (this process only), "cycles" (this process, user space
 * only: tells whether there is a PMU), "intel_pt" (this process). */
int kfr_probe_perf(const char *kind);

/* Whether the running kernel's BTF describes tracepoint name (btf_trace_<name>: tp_btf and raw_tp
 * attach by this name without tracefs). */
int kfr_probe_tracepoint(const char *name);

#endif
