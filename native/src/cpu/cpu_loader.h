/* CPU sampler, libbpf side: one perf event per CPU (cycles where the PMU has them, cpu-clock
 * otherwise) with cpu.bpf.c attached, which keeps the samples of one process's threads.
 * Errors: NULL / negative errno, with a one-line message in kfr_last_error(). */
#ifndef KFR_CPU_LOADER_H
#define KFR_CPU_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kfr_cpu;
struct kfr_walk_cfg;
struct kfr_java_thread;
struct kfr_collector_ops;

struct kfr_cpu_cfg {
	uint64_t interval_ns;  /* sample every this much CPU time (0: use event_count) */
	uint64_t event_count;  /* sample every this many events (cycles; cpu-clock: ns) */
	const char *event;     /* "auto" (cycles if the PMU has them, else cpu-clock), "cycles", "cpu-clock" */
};

struct kfr_cpu *kfr_cpu_open(int tgid, const struct kfr_cpu_cfg *cfg, uint32_t ringbuf_bytes,
			     const struct kfr_walk_cfg *java);
/* "cycles" or "cpu-clock" */
const char *kfr_cpu_event(const struct kfr_cpu *o);
/* Copies whole 40-byte records (struct kfr_cpu_sample); waits up to timeout_ms when none is
 * ready. Returns records copied or -errno. */
int kfr_cpu_poll(struct kfr_cpu *o, void *buf, size_t cap, int timeout_ms);
void kfr_cpu_wake(struct kfr_cpu *o);
/* As kfr_offcpu_java_thread. */
int kfr_cpu_java_thread(struct kfr_cpu *o, int tid, const struct kfr_java_thread *jt);
bool kfr_cpu_java_enabled(const struct kfr_cpu *o);
int kfr_cpu_stack(struct kfr_cpu *o, int32_t stack_id, uint64_t *ips, int max);
/* Starts a new stack epoch (common/stack_epochs.h); the stacks cleared. */
int kfr_cpu_next_stack_epoch(struct kfr_cpu *o);
/* Fills out[0 .. min(len, KFR_CPU_STAT__LEN)-1]. */
int kfr_cpu_stats(struct kfr_cpu *o, int64_t *out, int len);
/* Stops sampling (perf events off, program detached); records stay readable. Idempotent. */
int kfr_cpu_detach(struct kfr_cpu *o);
void kfr_cpu_close(struct kfr_cpu *o);

/* The functions above as a collector's table, for the generic JNI surface. */
extern const struct kfr_collector_ops kfr_cpu_ops;

#endif
