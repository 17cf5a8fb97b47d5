#define _GNU_SOURCE
#include "cpu/cpu_loader.h"

#include <errno.h>
#include <linux/perf_event.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "common/collector.h"
#include "common/kfr_error.h"
#include "common/ring_reader.h"
#include "hotspot/java_stack_ring.h"
#include "hotspot/java_maps.h"
#include "common/sysctl.h"
#include "common/map_util.h"
#include "cpu/cpu_records.h"
#include "hotspot/java_stack_records.h"
#include "hotspot/kfr_walk_cfg.h"
#include "cpu.skel.h"

#define SAMPLE_SIZE sizeof(struct kfr_cpu_sample)

_Static_assert(sizeof(struct kfr_cpu_sample) == 40, "cpu sample record is 40 bytes");

struct kfr_cpu {
	struct cpu_bpf *skel;
	int ncpu;
	int *pfd;                 /* perf event per CPU, -1 if that CPU is offline */
	struct bpf_link **links;
	bool cycles;
	bool detached;
	bool java;                /* Java frames: holds a reference to the shared Java maps (java_maps.h) */
	struct kfr_ring *rb;      /* samples */
	int stats_fd;
	int wake_fd;              /* ends a waiting poll */
	pthread_mutex_t lock;     /* detach */
};

static long perf_open(struct perf_event_attr *a, int cpu)
{
	return syscall(__NR_perf_event_open, a, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
}

static void attr_for(struct perf_event_attr *a, bool cycles, const struct kfr_cpu_cfg *cfg)
{
	memset(a, 0, sizeof(*a));
	a->size = sizeof(*a);
	a->type = cycles ? PERF_TYPE_HARDWARE : PERF_TYPE_SOFTWARE;
	a->config = cycles ? PERF_COUNT_HW_CPU_CYCLES : PERF_COUNT_SW_CPU_CLOCK;
	a->disabled = 1;
	if (cfg->event_count) {
		a->sample_period = cfg->event_count;
	} else if (cycles) { /* a time interval on a cycle counter: let the kernel find the period */
		a->freq = 1;
		a->sample_freq = cfg->interval_ns ? 1000000000ull / cfg->interval_ns : 100;
	} else {
		a->sample_period = cfg->interval_ns; /* cpu-clock counts nanoseconds */
	}
}

/* 99 when unreadable: shown as is in the error line */
static int paranoid(void)
{
	return kfr_sysctl_int(KFR_PERF_EVENT_PARANOID, 99);
}

/* Opens one event per online CPU; 0 or -errno (message set). */
static int open_events(struct kfr_cpu *o, bool cycles, const struct kfr_cpu_cfg *cfg)
{
	struct perf_event_attr a;
	int opened = 0;

	attr_for(&a, cycles, cfg);
	for (int c = 0; c < o->ncpu; c++) {
		o->pfd[c] = (int)perf_open(&a, c);
		if (o->pfd[c] >= 0) {
			opened++;
			continue;
		}
		int err = errno;
		if (err == ENODEV) /* offline CPU */
			continue;
		for (int k = 0; k < c; k++) {
			if (o->pfd[k] >= 0)
				close(o->pfd[k]);
			o->pfd[k] = -1;
		}
		if (err == EACCES || err == EPERM)
			kfr_set_error("CPU sampler: perf_event_open not permitted (perf_event_paranoid is %d): run as root or "
				      "grant CAP_PERFMON and CAP_BPF (the sampler's BPF program needs both; the sysctl "
				      "alone is not enough)", paranoid());
		else
			kfr_set_error("CPU sampler: perf_event_open(%s) failed: %s", cycles ? "cycles" : "cpu-clock",
				      strerror(err));
		return -err;
	}
	return opened ? 0 : -ENODEV;
}

struct kfr_cpu *kfr_cpu_open(int tgid, const struct kfr_cpu_cfg *cfg, uint32_t ringbuf_bytes,
			     const struct kfr_walk_cfg *java)
{
	struct kfr_cpu *o;
	int err;

	kfr_libbpf_log_init();
	kfr_clear_error();
	if (tgid <= 0 || !cfg || (!cfg->interval_ns && !cfg->event_count)) {
		kfr_set_error("CPU sampler: invalid pid or interval");
		return NULL;
	}
	o = calloc(1, sizeof(*o));
	if (!o) {
		kfr_set_error("CPU sampler: out of memory");
		return NULL;
	}
	o->stats_fd = -1;
	pthread_mutex_init(&o->lock, NULL);
	o->wake_fd = kfr_wakeup_new();
	o->ncpu = libbpf_num_possible_cpus();
	if (o->wake_fd < 0 || o->ncpu <= 0) {
		kfr_set_error("CPU sampler: eventfd or CPU count failed");
		goto fail;
	}
	o->pfd = malloc(sizeof(int) * (size_t)o->ncpu);
	o->links = calloc((size_t)o->ncpu, sizeof(*o->links));
	if (!o->pfd || !o->links) {
		kfr_set_error("CPU sampler: out of memory");
		goto fail;
	}
	for (int c = 0; c < o->ncpu; c++)
		o->pfd[c] = -1;

	/* the event first: without it there is nothing to load the program for */
	const char *ev = cfg->event ? cfg->event : "auto";
	bool try_cycles = strcmp(ev, "cpu-clock") != 0;
	err = try_cycles ? open_events(o, true, cfg) : -ENOENT;
	if (err && strcmp(ev, "cycles") == 0)
		goto fail; /* asked for cycles explicitly: say why not */
	o->cycles = !err;
	if (err) {
		kfr_clear_error();
		if (open_events(o, false, cfg))
			goto fail;
	}

	kfr_libbpf_log_reset();
	o->skel = cpu_bpf__open();
	if (!o->skel) {
		kfr_set_error("CPU sampler: opening the BPF object failed: %s", kfr_libbpf_last());
		goto fail;
	}
	o->skel->rodata->target_tgid = (uint32_t)tgid;
	if (java)
		o->skel->rodata->walk_cfg = *java;
	o->skel->rodata->walk_cfg.enabled = java != NULL;
	bpf_map__set_max_entries(o->skel->maps.samples, ringbuf_bytes);
	if (java && (err = kfr_hs_java_maps_get(o->skel->maps.java_threads, o->skel->maps.java_seen,
						o->skel->maps.java_stacks))) {
		if (err == -EPERM) /* creating the shared maps is the sampler's first bpf() call */
			kfr_set_error("CPU sampler: BPF not permitted (EPERM): run as root or grant CAP_BPF and CAP_PERFMON");
		else
			kfr_set_error("CPU sampler: sharing the Java maps failed: %s", strerror(-err));
		goto fail;
	}
	o->java = java != NULL;
	err = cpu_bpf__load(o->skel);
	if (err) {
		kfr_set_error("CPU sampler: bpf(BPF_PROG_LOAD) failed: %s%s%s", strerror(-err),
			      *kfr_libbpf_last() ? ": " : "", kfr_libbpf_last());
		goto fail;
	}
	for (int c = 0; c < o->ncpu; c++) {
		if (o->pfd[c] < 0)
			continue;
		o->links[c] = bpf_program__attach_perf_event(o->skel->progs.kfr_cpu_sample, o->pfd[c]);
		if (!o->links[c]) {
			kfr_set_error("CPU sampler: attaching to the perf event of CPU %d failed: %s", c, strerror(errno));
			goto fail;
		}
	}
	o->rb = kfr_ring_new(bpf_map__fd(o->skel->maps.samples), SAMPLE_SIZE, NULL, 0, "cpuPoll");
	if (!o->rb)
		goto fail;
	const char *stats = getenv("KFR_BPF_STATS");
	if (!stats || strcmp(stats, "0"))
		o->stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	for (int c = 0; c < o->ncpu; c++) {
		if (o->pfd[c] >= 0)
			ioctl(o->pfd[c], PERF_EVENT_IOC_ENABLE, 0);
	}
	return o;
fail:
	kfr_cpu_close(o);
	return NULL;
}

const char *kfr_cpu_event(const struct kfr_cpu *o)
{
	return o->cycles ? "cycles" : "cpu-clock";
}

int kfr_cpu_poll(struct kfr_cpu *o, void *buf, size_t cap, int timeout_ms)
{
	return kfr_ring_read(o->rb, buf, cap, timeout_ms, o->wake_fd);
}

void kfr_cpu_wake(struct kfr_cpu *o)
{
	if (o)
		kfr_wakeup_signal(o->wake_fd);
}

int kfr_cpu_java_thread(struct kfr_cpu *o, int tid, const struct kfr_java_thread *jt)
{
	return o->java ? kfr_map_put_u32(bpf_map__fd(o->skel->maps.java_threads), (uint32_t)tid, jt) : 0;
}

bool kfr_cpu_java_enabled(const struct kfr_cpu *o)
{
	return o->java;
}

int kfr_cpu_stack(struct kfr_cpu *o, int32_t stack_id, uint64_t *ips, int max)
{
	return kfr_epoch_stack_ips(bpf_map__fd(o->skel->maps.cpu_stacks0), bpf_map__fd(o->skel->maps.cpu_stacks1),
				   __atomic_load_n(&o->skel->bss->stack_epoch, __ATOMIC_ACQUIRE), stack_id, ips, max);
}

int kfr_cpu_next_stack_epoch(struct kfr_cpu *o)
{
	return kfr_next_stack_epoch(&o->skel->bss->stack_epoch, bpf_map__fd(o->skel->maps.cpu_stacks0),
				    bpf_map__fd(o->skel->maps.cpu_stacks1));
}

int kfr_cpu_stats(struct kfr_cpu *o, int64_t *out, int len)
{
	int64_t all[KFR_CPU_STAT__LEN] = { 0 };

	if (kfr_map_sum_percpu(bpf_map__fd(o->skel->maps.cpu_counters), KFR_CPU_CNT__MAX, o->ncpu, all)) {
		kfr_set_error("cpuStats: out of memory");
		return -ENOMEM;
	}
	kfr_prog_add_stats(o->skel->progs.kfr_cpu_sample, &all[KFR_CPU_CNT__MAX]);
	if (len > KFR_CPU_STAT__LEN)
		len = KFR_CPU_STAT__LEN;
	memcpy(out, all, (size_t)(len > 0 ? len : 0) * sizeof(int64_t));
	return 0;
}

int kfr_cpu_detach(struct kfr_cpu *o)
{
	pthread_mutex_lock(&o->lock);
	if (!o->detached) {
		for (int c = 0; o->pfd && c < o->ncpu; c++) {
			if (o->pfd[c] >= 0)
				ioctl(o->pfd[c], PERF_EVENT_IOC_DISABLE, 0);
			bpf_link__destroy(o->links ? o->links[c] : NULL);
			if (o->links)
				o->links[c] = NULL;
		}
		o->detached = true;
	}
	pthread_mutex_unlock(&o->lock);
	return 0;
}

void kfr_cpu_close(struct kfr_cpu *o)
{
	if (!o)
		return;
	if (o->pfd)
		kfr_cpu_detach(o);
	kfr_ring_free(o->rb);
	cpu_bpf__destroy(o->skel);
	if (o->java)
		kfr_hs_java_maps_put(NULL);
	for (int c = 0; o->pfd && c < o->ncpu; c++) {
		if (o->pfd[c] >= 0)
			close(o->pfd[c]);
	}
	free(o->pfd);
	free(o->links);
	if (o->stats_fd >= 0)
		close(o->stats_fd);
	if (o->wake_fd >= 0)
		close(o->wake_fd);
	pthread_mutex_destroy(&o->lock);
	free(o);
}

/* ---- the collector's table (common/collector.h) ----------------------------------------------- */

KFR_COLLECTOR_OPS(kfr_cpu_ops, "cpu", kfr_cpu, KFR_CPU_STAT__LEN);
