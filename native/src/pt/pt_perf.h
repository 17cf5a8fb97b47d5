/* The Intel PT side of perf_event_open, written against the kernel ABI (linux/perf_event.h):
 * the PMU's type and config bits from sysfs, one event per thread with its AUX area mapped
 * read-only (snapshot/overwrite mode), address filters, and the snapshot copy.
 *
 * Per-thread, not per-CPU, buffers: a thread's AUX area fills only while that thread runs, so
 * when it blocks its last instructions stay in its own ring until it runs again (pt.trigger needs
 * exactly that); a per-CPU ring would be overwritten by whatever runs next on that CPU. Per-task
 * events are also what user-space address filters require (the kernel refuses file-based filters
 * on CPU-wide events) and need no CAP_PERFMON at perf_event_paranoid 2. The cost: one ring per
 * traced thread, counted against perf_event_mlock_kb unless the process has CAP_IPC_LOCK. */
#ifndef KFR_PT_PERF_H
#define KFR_PT_PERF_H

#include <stddef.h>
#include <stdint.h>
#include <linux/perf_event.h>

#define KFR_PT_SYSFS "/sys/bus/event_source/devices/intel_pt"
#define KFR_PT_WHY 256

/* A config field from <pmu>/format/<term>: "config:<lo>[-<hi>]" (also config1/config2). */
struct kfr_pt_field {
	int word; /* 0 config, 1 config1, 2 config2; -1 absent */
	int lo, hi;
};

struct kfr_pt_pmu {
	char dir[200];
	int type;
	struct kfr_pt_field pt, tsc, mtc, cyc, noretcomp, branch, mtc_period;
	int num_address_ranges; /* caps/num_address_ranges, -1 unknown */
};

/* 0 and f filled; -ENOENT when the PMU has no such term; -EINVAL when the file is not the
 * kernel's format syntax. */
int kfr_pt_field_read(const char *pmu_dir, const char *term, struct kfr_pt_field *f);

/* Sets value into the field's bits of the config words; -1 if absent or the value does not fit. */
int kfr_pt_field_set(const struct kfr_pt_field *f, uint64_t value, uint64_t config[3]);

/* Reads <dir>/type, the format terms and the caps. 0, or -1 with why (one line with the fix). */
int kfr_pt_pmu_read(const char *dir, struct kfr_pt_pmu *pmu, char *why, size_t whylen);

/* What the traces carry. */
#define KFR_PT_TIMING 1u   /* tsc + mtc where the PMU has them: times for paths and spans */
#define KFR_PT_CYCLES 2u   /* cyc: cycle-accurate (bigger traces) */

/* The attr of one traced thread: user space only, enabled, AUX in overwrite mode (the mapping
 * decides that, not the attr). 0, or -1 with why when a needed term is missing. */
int kfr_pt_attr(const struct kfr_pt_pmu *pmu, unsigned flags, struct perf_event_attr *attr, char *why,
		size_t whylen);

/* One traced thread: the event, its first page + data ring, its AUX ring. */
struct kfr_pt_thread {
	int tid;
	int fd;
	struct perf_event_mmap_page *page; /* page 0 of the data mapping (read-write: aux_offset/size) */
	size_t data_len;                   /* page + data ring */
	void *aux;                         /* read-only: the kernel overwrites oldest data */
	size_t aux_len;
	uint64_t snapshots;
};

/* AUX ring bytes actually used for a request: a power of two pages, at least 2 pages. */
size_t kfr_pt_aux_bytes(size_t requested);

/* Opens the event for tid (pid=tid, cpu=-1) and maps it. 0, or -errno with why. */
int kfr_pt_thread_open(const struct perf_event_attr *attr, int tid, size_t aux_bytes, struct kfr_pt_thread *t,
		       char *why, size_t whylen);

/* Maps an open event: the first page and a one-page data ring (read-write, so that aux_offset
 * and aux_size can be written), then the AUX ring read-only. 0, or -errno with why. */
int kfr_pt_thread_map(struct kfr_pt_thread *t, size_t aux_bytes, char *why, size_t whylen);

void kfr_pt_thread_close(struct kfr_pt_thread *t);

/* PERF_EVENT_IOC_SET_FILTER with perf's address-filter syntax ("filter 0x..../0x...[@file]", ranges
 * separated by ','). 0, or -errno with why. */
int kfr_pt_set_filter(int fd, const char *filter, char *why, size_t whylen);

/* The snapshot: stops the thread's tracing (PERF_EVENT_IOC_DISABLE, which makes the kernel
 * publish aux_head), copies the ring's valid bytes oldest first and newest last into dst,
 * re-enables. Returns bytes copied (at most cap: the newest cap bytes), or -errno.
 * head: aux_head at the snapshot; wrapped: whether the ring had been overwritten. */
long kfr_pt_snapshot(struct kfr_pt_thread *t, void *dst, size_t cap, uint64_t *head, int *wrapped);

/* Copies the newest min(valid, cap) bytes of a ring of size len whose write position is head
 * (monotonic), oldest first. The part of the snapshot that does not touch the kernel. */
size_t kfr_pt_ring_copy(const uint8_t *ring, size_t len, uint64_t head, uint8_t *dst, size_t cap);

/* perf's TSC conversion from the first page (time_zero/time_mult/time_shift), for the decoder's
 * timestamps. 0 and out[0..2] = zero, mult, shift; -1 if the kernel does not offer it. */
int kfr_pt_time_conversion(const struct kfr_pt_thread *t, uint64_t out[3]);

#endif
