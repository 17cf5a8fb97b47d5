#include "offcpu/offcpu_loader.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/membarrier.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "common/collector.h"
#include "common/kfr_error.h"
#include "common/ring_reader.h"
#include "hotspot/java_stack_ring.h"
#include "hotspot/java_maps.h"
#include "common/map_util.h"
#include "offcpu/offcpu_records.h"
#include "hotspot/java_stack_records.h"
#include "hotspot/kfr_walk_cfg.h"
#include "offcpu.skel.h"

#define VMLINUX_BTF "/sys/kernel/btf/vmlinux"
#define EVENT_SIZE ((size_t)sizeof(struct kfr_offcpu_event))
#define AGG_REC_SIZE (sizeof(struct kfr_offcpu_agg_key) + sizeof(struct kfr_offcpu_agg_val))

_Static_assert(sizeof(struct kfr_offcpu_event) == 80, "event record is 80 bytes");
_Static_assert(sizeof(struct kfr_offcpu_agg_key) == 32, "agg key is 32 bytes");
_Static_assert(sizeof(struct kfr_java_frame) == 16, "java frame is 16 bytes");
_Static_assert(sizeof(struct kfr_java_stack) == KFR_JAVA_STACK_HDR + 16 * KFR_JAVA_MAX_FRAMES, "java stack record");
_Static_assert(sizeof(struct kfr_offcpu_agg_val) == 16, "agg value is 16 bytes");

struct kfr_offcpu {
	struct offcpu_bpf *skel;
	struct bpf_link *link;      /* sched_switch; NULL once detached */
	struct bpf_link *exit_link; /* sched_process_exit (thread names); NULL if it did not attach */
	struct bpf_link *waker_link; /* sched_waking (wakers); NULL if off or it did not attach */
	struct bpf_program *waker_prog; /* the sched_waking program loaded, NULL if none */
	struct bpf_program *prog;   /* the attached sched_switch program */
	bool detached;              /* sched_switch detached and no run of it still in progress */
	struct kfr_ring *rb;        /* events */
	bool java;                  /* the walker is configured */
	bool java_maps_held;        /* holds a reference to the shared Java maps (java_maps.h) */
	int stats_fd;               /* BPF_ENABLE_STATS, -1 if refused */
	int wake_fd;                /* eventfd: kfr_offcpu_wake() ends a waiting poll */
	bool raw_tp;
	bool rq_clock;              /* tp_btf measures with the runqueue clock */
	char fallback[400];         /* why tp_btf was not used, "" if it is */
	int ncpu;
	pthread_mutex_t drain_lock;
	pthread_mutex_t ctl_lock;   /* exclusions, detach */
	unsigned int drain_slot;    /* aggregation map not written by BPF (after the last swap) */
};

/* ---- open ---------------------------------------------------------------------------------- */

/* Does this kernel's sched_switch tracepoint pass prev_state (5.18+)? */
static bool sched_switch_has_prev_state(void)
{
	struct btf *btf = btf__load_vmlinux_btf();
	bool has = false;

	if (!btf)
		return false;
	int id = btf__find_by_name_kind(btf, "btf_trace_sched_switch", BTF_KIND_TYPEDEF);
	if (id > 0) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		t = t ? btf__type_by_id(btf, t->type) : NULL;          /* PTR */
		t = t && btf_is_ptr(t) ? btf__type_by_id(btf, t->type) : NULL; /* FUNC_PROTO */
		/* (void *__data, bool preempt, prev, next, unsigned int prev_state) */
		has = t && btf_is_func_proto(t) && btf_vlen(t) >= 5;
	}
	btf__free(btf);
	return has;
}

/* The runqueue clock (sched_clock) is consistent across CPUs when the TSC is the clocksource
 * (the kernel marks sched_clock stable then); elsewhere measure with CLOCK_MONOTONIC.
 * KFR_OFFCPU_CLOCK=monotonic forces the latter. */
static bool rq_clock_ok(void)
{
	const char *force = getenv("KFR_OFFCPU_CLOCK");
	char cs[32] = "";
	FILE *f;

	if (force && !strcmp(force, "monotonic"))
		return false;
	f = fopen("/sys/devices/system/clocksource/clocksource0/current_clocksource", "r");
	if (!f)
		return false;
	if (!fgets(cs, sizeof(cs), f))
		cs[0] = 0;
	fclose(f);
	return !strcmp(cs, "tsc\n") || !strcmp(cs, "tsc");
}

static void describe_load_error(char *out, size_t cap, int err)
{
	const char *detail = kfr_libbpf_last();

	if (err == EPERM) {
		snprintf(out, cap, "BPF not permitted (EPERM): run as root or grant CAP_BPF and CAP_PERFMON");
	} else if (strstr(detail, "map '") && strstr(detail, "create")) {
		snprintf(out, cap, "bpf(BPF_MAP_CREATE) failed: %s%s%s%s", strerror(err),
			 err == ENOMEM ? " (kernel memory or RLIMIT_MEMLOCK)" : "",
			 *detail ? ": " : "", detail);
	} else {
		snprintf(out, cap, "bpf(BPF_PROG_LOAD) failed: %s%s%s", strerror(err),
			 *detail ? ": " : "", detail);
	}
}

/* Waker tracking (sched_waking) is on unless KFR_OFFCPU_WAKERS=0: the switch for measuring what
 * it costs (docs/findings.md). */
static bool wakers_wanted(void)
{
	const char *w = getenv("KFR_OFFCPU_WAKERS");

	return !w || strcmp(w, "0");
}

/* Java stacks of short intervals are sampled (1 in 16 cache hits verified) unless
 * KFR_OFFCPU_JAVA_VERIFY=all: every hit verified (docs/unwinder-design.md). */
static bool java_verify_all(void)
{
	const char *v = getenv("KFR_OFFCPU_JAVA_VERIFY");

	return v && !strcmp(v, "all");
}

/* Opens, loads and attaches one variant. Returns 0, or -errno with a message in msg. */
static int load_attach(struct kfr_offcpu *o, bool raw, int tgid, uint64_t threshold_ns,
		       uint32_t ringbuf_bytes, uint32_t preempted_one_in, const struct kfr_walk_cfg *java,
		       char *msg, size_t msgcap)
{
	struct offcpu_bpf *skel;
	int err;

	kfr_libbpf_log_reset();
	skel = offcpu_bpf__open();
	if (!skel) {
		err = errno ? errno : EINVAL;
		snprintf(msg, msgcap, "opening the BPF object failed: %s%s%s", strerror(err),
			 *kfr_libbpf_last() ? ": " : "", kfr_libbpf_last());
		return -err;
	}
	skel->rodata->target_tgid = (uint32_t)tgid;
	skel->rodata->threshold_ns = threshold_ns;
	skel->rodata->waker_stack_ns = threshold_ns > 1000000 ? threshold_ns : 1000000;
	skel->rodata->has_prev_state_arg = raw ? 0 : sched_switch_has_prev_state();
	skel->rodata->use_rq_clock = raw ? 0 : rq_clock_ok();
	if (java_verify_all())
		skel->rodata->java_verify_mask = 0;
	skel->rodata->preempt_sample_mask = preempted_one_in - 1;
	/* wake the poller only when 1/8 of the ring is unread; below that it reads at its timeout */
	skel->rodata->wakeup_bytes = ringbuf_bytes / 8;
	if (java)
		skel->rodata->walk_cfg = *java;
	skel->rodata->walk_cfg.enabled = java != NULL;

	bpf_program__set_autoload(skel->progs.kfr_switch_btf, !raw);
	bpf_program__set_autoload(skel->progs.kfr_switch_raw, raw);
	/* the waker program of the same kind as the switch program (they share the pending state) */
	bool wakers = wakers_wanted();
	bpf_program__set_autoload(skel->progs.kfr_waking_btf, wakers && !raw);
	bpf_program__set_autoload(skel->progs.kfr_waking_raw, wakers && raw);
	/* task storage is only used by tp_btf; the tid map by both (tp_btf: when storage fails) */
	bpf_map__set_autocreate(skel->maps.tasks, !raw);
	err = bpf_map__set_max_entries(skel->maps.events, ringbuf_bytes);
	if (err) {
		snprintf(msg, msgcap, "ring buffer size %u refused: %s", ringbuf_bytes, strerror(-err));
		offcpu_bpf__destroy(skel);
		return err;
	}

	if (java && (err = kfr_hs_java_maps_get(skel->maps.java_threads, skel->maps.java_seen, skel->maps.java_stacks))) {
		if (err == -EPERM) /* creating the shared maps is this collector's first bpf() call */
			describe_load_error(msg, msgcap, EPERM);
		else
			snprintf(msg, msgcap, "sharing the Java maps failed: %s", strerror(-err));
		offcpu_bpf__destroy(skel);
		return err;
	}
	err = offcpu_bpf__load(skel);
	if (err) {
		describe_load_error(msg, msgcap, -err);
		if (java)
			kfr_hs_java_maps_put(NULL);
		offcpu_bpf__destroy(skel);
		return err;
	}

	struct bpf_program *prog = raw ? skel->progs.kfr_switch_raw : skel->progs.kfr_switch_btf;
	struct timespec ts;

	/* threads started after this have no history the program could not see */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	skel->bss->attach_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	/* Wakers first, so that every interval the switch program starts can have one. Optional:
	 * without it the events carry no waker (waker_flags 0) and the collector runs on. */
	if (wakers) {
		struct bpf_program *wp = raw ? skel->progs.kfr_waking_raw : skel->progs.kfr_waking_btf;

		o->waker_link = bpf_program__attach(wp);
		o->waker_prog = o->waker_link ? wp : NULL;
	}
	struct bpf_link *link = bpf_program__attach(prog);
	if (!link) {
		bpf_link__destroy(o->waker_link);
		o->waker_link = NULL;
		o->waker_prog = NULL;
		err = -errno;
		if (-err == EPERM)
			snprintf(msg, msgcap, "BPF not permitted (EPERM): run as root or grant CAP_BPF and CAP_PERFMON");
		else
			snprintf(msg, msgcap, "attaching %s/sched_switch failed: %s%s%s",
				 raw ? "raw_tp" : "tp_btf", strerror(-err),
				 *kfr_libbpf_last() ? ": " : "", kfr_libbpf_last());
		if (java)
			kfr_hs_java_maps_put(NULL);
		offcpu_bpf__destroy(skel);
		return err;
	}
	o->java_maps_held = java != NULL;
	if (java) /* its per-thread caches of Java stack ids re-walk after the seen-set is cleared */
		kfr_hs_java_maps_generation(&skel->bss->java_generation);
	/* Thread names at exit: useful, not essential; the collector runs without them. */
	o->exit_link = bpf_program__attach(skel->progs.kfr_exit);
	o->skel = skel;
	o->prog = prog;
	o->link = link;
	o->raw_tp = raw;
	o->rq_clock = skel->rodata->use_rq_clock;
	return 0;
}

struct kfr_offcpu *kfr_offcpu_open(int tgid, uint64_t threshold_ns, uint32_t ringbuf_bytes,
				   uint32_t preempted_one_in, const struct kfr_walk_cfg *java)
{
	long page = sysconf(_SC_PAGESIZE);
	char msg_btf[400] = "", msg_raw[400] = "";
	const char *mode = getenv("KFR_OFFCPU_ATTACH");
	bool try_btf = true, try_raw = true;
	struct kfr_offcpu *o;
	int err = 0;

	kfr_libbpf_log_init();
	kfr_clear_error();
	if (tgid <= 0) {
		kfr_set_error("offcpuOpen: invalid pid %d", tgid);
		return NULL;
	}
	if (ringbuf_bytes < (uint32_t)page || (ringbuf_bytes & (ringbuf_bytes - 1)) ||
	    ringbuf_bytes % (uint32_t)page) {
		kfr_set_error("offcpuOpen: ring buffer size %u must be a power of two and a multiple of the page size (%ld)",
			      ringbuf_bytes, page);
		return NULL;
	}
	if (!preempted_one_in || (preempted_one_in & (preempted_one_in - 1))) {
		kfr_set_error("offcpuOpen: preempted stacks 1 in %u: must be a power of two", preempted_one_in);
		return NULL;
	}
	if (access(VMLINUX_BTF, R_OK)) {
		kfr_set_error("no BTF at " VMLINUX_BTF ": needs a kernel built with CONFIG_DEBUG_INFO_BTF");
		return NULL;
	}
	if (mode && !strcmp(mode, "raw_tp"))
		try_btf = false;
	else if (mode && !strcmp(mode, "tp_btf"))
		try_raw = false;

	o = calloc(1, sizeof(*o));
	if (!o) {
		kfr_set_error("offcpuOpen: out of memory");
		return NULL;
	}
	o->stats_fd = -1;
	o->drain_slot = 1;
	o->wake_fd = kfr_wakeup_new();
	if (o->wake_fd < 0) {
		kfr_set_error("offcpuOpen: eventfd failed: %s", strerror(errno));
		free(o);
		return NULL;
	}
	pthread_mutex_init(&o->drain_lock, NULL);
	pthread_mutex_init(&o->ctl_lock, NULL);

	if (try_btf)
		err = load_attach(o, false, tgid, threshold_ns, ringbuf_bytes, preempted_one_in, java, msg_btf, sizeof(msg_btf));
	if ((!try_btf || err) && try_raw && err != -EPERM)
		err = load_attach(o, true, tgid, threshold_ns, ringbuf_bytes, preempted_one_in, java, msg_raw, sizeof(msg_raw));
	if (!o->skel) {
		if (*msg_btf && *msg_raw && strcmp(msg_btf, msg_raw))
			kfr_set_error("off-CPU collector: tp_btf: %s; raw_tp fallback: %s", msg_btf, msg_raw);
		else
			kfr_set_error("off-CPU collector: %s", *msg_btf ? msg_btf : msg_raw);
		goto fail;
	}

	if (o->raw_tp && *msg_btf)
		snprintf(o->fallback, sizeof(o->fallback), "%s", msg_btf);
	o->ncpu = libbpf_num_possible_cpus();
	if (o->ncpu <= 0) {
		kfr_set_error("cannot read the number of possible CPUs: %s", strerror(-o->ncpu));
		goto fail;
	}
	o->rb = kfr_ring_new(bpf_map__fd(o->skel->maps.events), EVENT_SIZE, NULL, 0, "offcpuPoll");
	if (!o->rb)
		goto fail;
	o->java = java != NULL;
	/* BPF run-time stats, system-wide while the fd is open. Needs CAP_SYS_ADMIN; without it
	 * (or with KFR_BPF_STATS=0: they cost two clock reads per program run) run count and time
	 * read 0, unless the sysctl kernel.bpf_stats_enabled is on. */
	const char *stats = getenv("KFR_BPF_STATS");
	if (!stats || strcmp(stats, "0")) {
		o->stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
		if (o->stats_fd < 0)
			o->stats_fd = -1;
	}
	return o;
fail:
	kfr_offcpu_close(o);
	return NULL;
}

const char *kfr_offcpu_attach_mode(const struct kfr_offcpu *o)
{
	return o->raw_tp ? "raw_tp" : "tp_btf";
}

const char *kfr_offcpu_fallback_reason(const struct kfr_offcpu *o)
{
	return o->fallback;
}

const char *kfr_offcpu_clock(const struct kfr_offcpu *o)
{
	return o->rq_clock ? "sched_clock" : "monotonic";
}

/* ---- ring buffers ---------------------------------------------------------------------------- */

int kfr_offcpu_poll(struct kfr_offcpu *o, void *buf, size_t cap, int timeout_ms)
{
	return kfr_ring_read(o->rb, buf, cap, timeout_ms, o->wake_fd);
}

int kfr_offcpu_java_thread(struct kfr_offcpu *o, int tid, const struct kfr_java_thread *jt)
{
	return o->java ? kfr_map_put_u32(bpf_map__fd(o->skel->maps.java_threads), (uint32_t)tid, jt) : 0;
}

bool kfr_offcpu_java_enabled(const struct kfr_offcpu *o)
{
	return o->java;
}

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL /* Linux 6.9: a pidfd of one thread, not only of a process */
#endif

/* One thread's pending interval, from its task storage (tp_btf; looked up through a pidfd of the
 * thread) or from the tid map; false if none is known. */
static bool pending_of(struct kfr_offcpu *o, int tid, void *task_value, struct kfr_pending *p)
{
	uint32_t key = (uint32_t)tid;

	if (task_value) {
		int pfd = (int)syscall(SYS_pidfd_open, tid, PIDFD_THREAD);

		if (pfd >= 0) {
			int err = bpf_map_lookup_elem(bpf_map__fd(o->skel->maps.tasks), &pfd, task_value);

			close(pfd);
			if (!err) {
				memcpy(p, task_value, sizeof(*p)); /* struct kfr_task begins with it */
				if (p->start_ns)
					return true;
			}
		}
	}
	return !bpf_map_lookup_elem(bpf_map__fd(o->skel->maps.tasks_by_tid), &key, p) && p->start_ns;
}

int kfr_offcpu_pending_stacks(struct kfr_offcpu *o, const int *tids, int n, int *out, int cap)
{
	void *task_value = NULL;
	struct kfr_pending p;
	int w = 0;

	if (!o->raw_tp && !(task_value = malloc(bpf_map__value_size(o->skel->maps.tasks))))
		return -ENOMEM;
	for (int i = 0; i < n && w + 2 <= cap; i++) {
		/* read while the programs write: a torn pair names other stacks, which only costs a read */
		if (pending_of(o, tids[i], task_value, &p)) {
			out[w++] = p.kstack_id;
			out[w++] = p.ustack_id;
		}
	}
	free(task_value);
	return w;
}

void kfr_offcpu_wake(struct kfr_offcpu *o)
{
	kfr_wakeup_signal(o->wake_fd);
}

/* ---- control ---------------------------------------------------------------------------------- */

int kfr_offcpu_exclude_thread(struct kfr_offcpu *o, int tid)
{
	uint32_t *slots = o->skel->bss->excluded_tids;
	int err = -ENOSPC;

	if (tid <= 0) {
		kfr_set_error("offcpuExcludeThread: invalid tid %d", tid);
		return -EINVAL;
	}
	pthread_mutex_lock(&o->ctl_lock);
	for (int i = 0; i < KFR_MAX_EXCLUDED; i++) {
		if (slots[i] == (uint32_t)tid) {
			err = 0;
			break;
		}
	}
	for (int i = 0; err && i < KFR_MAX_EXCLUDED; i++) {
		if (slots[i] == 0) {
			/* read by the program at its next run (mmapped .bss) */
			__atomic_store_n(&slots[i], (uint32_t)tid, __ATOMIC_SEQ_CST);
			err = 0;
		}
	}
	pthread_mutex_unlock(&o->ctl_lock);
	if (err)
		kfr_set_error("offcpuExcludeThread: already %d threads excluded", KFR_MAX_EXCLUDED);
	return err;
}

static void wait_for_programs(void);

int kfr_offcpu_detach(struct kfr_offcpu *o)
{
	pthread_mutex_lock(&o->ctl_lock);
	if (o->link) {
		bpf_link__destroy(o->waker_link); /* waited for together with the switch program below */
		o->waker_link = NULL;
		/* bpf_link__destroy closes the link: the program is off the tracepoint when close()
		 * returns, but a run that started before may still be going on another CPU. */
		bpf_link__destroy(o->link);
		o->link = NULL;
		wait_for_programs();
		__atomic_store_n(&o->detached, true, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&o->ctl_lock);
	return 0;
}

int kfr_offcpu_thread_name(struct kfr_offcpu *o, int tid, char name[KFR_COMM_LEN])
{
	uint32_t key = (uint32_t)tid;

	if (tid <= 0 || bpf_map_lookup_elem(bpf_map__fd(o->skel->maps.exit_names), &key, name))
		return -ENOENT;
	name[KFR_COMM_LEN - 1] = 0;
	return 0;
}

/* ---- aggregation maps ------------------------------------------------------------------------ */

/* After the flip, wait until no program can still be writing the old map. The programs run in
 * RCU read-side sections (tracepoint, interrupts off), so one RCU grace period is enough:
 * membarrier(MEMBARRIER_CMD_GLOBAL) is synchronize_rcu(). Where it is unavailable (nohz_full),
 * sleep: a program invocation takes microseconds. */
static void wait_for_programs(void)
{
	if (syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0) == 0)
		return;
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

int kfr_offcpu_drain(struct kfr_offcpu *o, void *buf, size_t cap, bool swap)
{
	struct kfr_offcpu_agg_key key, next;
	struct kfr_offcpu_agg_val val;
	unsigned char *out = buf;
	size_t max = cap / AGG_REC_SIZE, n = 0;
	int fd, err;

	if (!buf || max == 0) {
		kfr_set_error("offcpuDrainAggregates: buffer of %zu bytes cannot hold one %zu-byte record",
			      cap, AGG_REC_SIZE);
		return -EINVAL;
	}
	pthread_mutex_lock(&o->drain_lock);
	if (swap) {
		unsigned int old = __atomic_load_n(&o->skel->bss->agg_slot, __ATOMIC_RELAXED) ? 1 : 0;

		__atomic_store_n(&o->skel->bss->agg_slot, old ^ 1, __ATOMIC_SEQ_CST);
		if (!__atomic_load_n(&o->detached, __ATOMIC_ACQUIRE))
			wait_for_programs();
		o->drain_slot = old;
	}
	fd = bpf_map__fd(o->drain_slot ? o->skel->maps.agg1 : o->skel->maps.agg0);

	/* walk with next-key before deleting the current one, so the walk never restarts */
	err = bpf_map_get_next_key(fd, NULL, &key);
	while (!err && n < max) {
		int has_next = bpf_map_get_next_key(fd, &key, &next) == 0;

		if (bpf_map_lookup_elem(fd, &key, &val) == 0) {
			memcpy(out + n * AGG_REC_SIZE, &key, sizeof(key));
			memcpy(out + n * AGG_REC_SIZE + sizeof(key), &val, sizeof(val));
			n++;
			bpf_map_delete_elem(fd, &key);
		}
		if (!has_next)
			break;
		key = next;
	}
	pthread_mutex_unlock(&o->drain_lock);
	return (int)n;
}

/* ---- stacks, stats, close -------------------------------------------------------------------- */

_Static_assert(KFR_STACK_BUCKETS <= (1 << KFR_STACK_EPOCH_SHIFT), "stack ids: bucket bits");
_Static_assert(((KFR_STACK_EPOCH_MASK << KFR_STACK_EPOCH_SHIFT) & KFR_WAKER_STACK_ID_BIT) == 0, "stack ids: epoch bits");

int kfr_offcpu_stack(struct kfr_offcpu *o, int32_t stack_id, uint64_t *ips, int max)
{
	if (stack_id >= 0 && (stack_id & KFR_WAKER_STACK_ID_BIT))
		return kfr_map_stack_ips(bpf_map__fd(o->skel->maps.waker_stacks), stack_id & ~KFR_WAKER_STACK_ID_BIT,
					 ips, max);
	return kfr_epoch_stack_ips(bpf_map__fd(o->skel->maps.stacks0), bpf_map__fd(o->skel->maps.stacks1),
				   __atomic_load_n(&o->skel->bss->stack_epoch, __ATOMIC_ACQUIRE), stack_id, ips, max);
}

int kfr_offcpu_next_stack_epoch(struct kfr_offcpu *o)
{
	return kfr_next_stack_epoch(&o->skel->bss->stack_epoch, bpf_map__fd(o->skel->maps.stacks0),
				    bpf_map__fd(o->skel->maps.stacks1));
}

int kfr_offcpu_stats(struct kfr_offcpu *o, int64_t *out, int len)
{
	int64_t all[KFR_STAT__LEN] = { 0 };

	if (kfr_map_sum_percpu(bpf_map__fd(o->skel->maps.counters), KFR_CNT__MAX, o->ncpu, all)) {
		kfr_set_error("offcpuStats: out of memory");
		return -ENOMEM;
	}
	/* the sched_switch program and the exit program (if it loaded) */
	kfr_prog_add_stats(o->prog, &all[KFR_STAT_PROG_RUN_CNT]);
	kfr_prog_add_stats(o->skel->progs.kfr_exit, &all[KFR_STAT_PROG_RUN_CNT]);
	if (o->waker_prog) {
		int64_t w[3] = { 0 };

		kfr_prog_add_stats(o->waker_prog, w);
		all[KFR_STAT_PROG_RUN_CNT] += w[0];
		all[KFR_STAT_PROG_RUN_NS] += w[1];
		all[KFR_STAT_PROG_RECURSION_MISSES] += w[2];
		all[KFR_STAT_WAKER_RUN_CNT] = w[0];
		all[KFR_STAT_WAKER_RUN_NS] = w[1];
	}
	if (len > KFR_STAT__LEN)
		len = KFR_STAT__LEN;
	memcpy(out, all, (size_t)(len > 0 ? len : 0) * sizeof(int64_t));
	return 0;
}

void kfr_offcpu_close(struct kfr_offcpu *o)
{
	if (!o)
		return;
	kfr_ring_free(o->rb);
	bpf_link__destroy(o->link);
	bpf_link__destroy(o->exit_link);
	bpf_link__destroy(o->waker_link);
	if (o->java_maps_held) /* before the .bss with the generation counter is unmapped */
		kfr_hs_java_maps_put(&o->skel->bss->java_generation);
	offcpu_bpf__destroy(o->skel);
	if (o->stats_fd >= 0)
		close(o->stats_fd);
	if (o->wake_fd >= 0)
		close(o->wake_fd);
	pthread_mutex_destroy(&o->drain_lock);
	pthread_mutex_destroy(&o->ctl_lock);
	free(o);
}

/* ---- the collector's table (common/collector.h) ----------------------------------------------- */

KFR_COLLECTOR_OPS(kfr_offcpu_ops, "offcpu", kfr_offcpu, KFR_STAT__LEN);
