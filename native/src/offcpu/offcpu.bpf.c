// SPDX-License-Identifier: GPL-2.0
/* Off-CPU collector: one program on sched_switch, for the threads of one process.
 *
 * switch-out (prev in target): remember start time, state, cpu, syscall and stack ids.
 *   The stacks are walked only when the thread's user context (ip, sp, bp, syscall nr) and state
 *   match none of the last FP_WAYS contexts cached for the thread; otherwise the cached ids are
 *   reused. A context is walked again after 64 reuses and 64 ms of off-CPU time since its last
 *   walk (both), so a changed kernel path does not stay hidden for long.
 *   Threads in excluded_tids (kfr's own poller) are skipped: no interval starts.
 * switch-in (next in target, pending start): intervals >= threshold_ns go to the ring buffer,
 *   shorter ones (and those the ring buffer has no room for) are summed per
 *   (tid, state, stacks, syscall) in one of two aggregation maps (agg_slot selects which).
 *   The reader is woken only once wakeup_bytes are unread; it polls with a timeout anyway.
 *
 * Two attachments of the same logic: tp_btf (task storage, cached stacks) and a raw_tp twin for
 * kernels where tp_btf does not load (hash map keyed by tid, always walks). libkfr loads one.
 * The tp_btf program falls back to the tid map when task storage cannot be created (the per-CPU
 * busy lock shared by all task-storage maps, or no memory), so such a switch-out is not lost.
 * Every path that loses an interval is counted (see offcpu_records.h). A switch-in the program does
 * not see (the kernel switched the thread in without firing sched_switch for it) is noticed at the
 * thread's next switch-out and the interval recovered from sched_info.last_arrival.
 *
 * sched_process_exit (raw_tp, both attachments): keeps the comm of exiting target threads, so
 * that a thread which ends before user space looks it up still has its name. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "offcpu/offcpu_records.h"
#include "common/stack_epochs.bpf.h"
#include "hotspot/java_stack_records.h"
#include "hotspot/hotspot_walk.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define TASK_INTERRUPTIBLE   0x0001
#define TASK_UNINTERRUPTIBLE 0x0002
#define TASK_DEAD            0x0080
#define TASK_NOLOAD          0x0400
#define TASK_REPORT_MASK     0x00ff
/* A cached context is walked again once it has been reused RECHECK_HITS times and RECHECK_NS of
 * off-CPU time went to it since its last walk, whichever comes later. The count alone re-walked the
 * short intervals of a hand-off storm every 64th switch-out (~180 ns per switch-out on average);
 * the time alone re-walked a server's 1-10 ms waits every few reuses (Jetty: stack walks per
 * switch-out 0.38 to 0.50). Together a context never walks more often than under either rule, and a
 * kernel path that changes under the same user context stays hidden for at most 64 reuses or
 * 64 ms of off-CPU time, whichever is more (64 ms: what 64 reuses bounded for intervals under the
 * default 1 ms threshold). */
#define RECHECK_HITS         64
#define RECHECK_NS           (64ull * 1000 * 1000)
#define FP_WAYS              4       /* cached user contexts per thread (power of two) */
#define WAKER_WAYS           2       /* cached contexts a thread woke others from (power of two) */
#define WAKER_STATE          0xff    /* kfr_fp.state of a waker context: no switch-out state */
/* A Java cache hit after a short interval verifies the cached stack's slots with probability
 * 1 / (java_verify_mask + 1) (random, so that no periodic caller pattern aliases with it);
 * otherwise it reuses the stack verified or walked last for the same context. 0: verify every hit
 * (libkfr: KFR_OFFCPU_JAVA_VERIFY=all). See docs/unwinder-design.md. */
#define JAVA_VERIFY_ONE_IN   16      /* default sampling (power of two) */
#define FP_WINDOW            (8u << 20) /* bp within 8 MB above sp: taken as a frame pointer */
#define MAX_STACK_DEPTH      127
#ifndef EEXIST
#define EEXIST 17
#endif

/* Set by libkfr before load. */
const volatile __u32 target_tgid = 0;
const volatile __u64 threshold_ns = 1000000;
const volatile __u8 has_prev_state_arg = 1; /* sched_switch has the prev_state argument (5.18+) */
const volatile __u8 use_rq_clock = 1;       /* sched_clock is stable across CPUs (TSC clocksource) */
const volatile __u64 wakeup_bytes = 0;      /* wake the reader once this much is unread; 0: per record */
/* Waker stacks for intervals at least this long at their wake-up: the threshold, but not below 1 ms
 * (set by libkfr): with offcpu.threshold=1us nearly every wake-up would walk the waker's stacks. */
const volatile __u64 waker_stack_ns = 1000000;
const volatile __u32 java_verify_mask = JAVA_VERIFY_ONE_IN - 1;
/* Stacks of preempted switch-outs (state R) are taken for a random 1 in preempt_sample_mask + 1
 * (power of two; 0: every one, option offcpu.preempted=exact). A preempted thread was interrupted
 * wherever it ran, at a new pc nearly every time, so its stacks miss every cache and cost a full
 * walk (2-7 us on a busy server); its state and time need none of it. Independent of the stack and
 * of the interval's length, so the sampled intervals' time per stack, scaled to the thread's exact
 * preempted time, estimates each stack's share without bias (PreemptedShares, docs/design.md). */
const volatile __u32 preempt_sample_mask = 0;

/* Which aggregation map the programs write (0 or 1); flipped by libkfr through the mmapped .bss. */
__u32 agg_slot = 0;
/* The stack epoch: new stacks go to stacks<epoch & 1>; advanced by libkfr (mmapped .bss). */
__u32 stack_epoch = 0;

/* Bumped by libkfr (mmapped .bss) after it cleared java_seen: a cached Java stack id from an
 * older generation may be unknown to user space, so the next hit walks it again (announcing it),
 * whatever the re-walk schedule of the native stacks. */
__u32 java_generation = 0;

/* Threads whose switch-outs are not recorded (kfr's own), 0 = free slot; written by libkfr through
 * the mmapped .bss. tid 0 is the idle task, never in the target process. */
__u32 excluded_tids[KFR_MAX_EXCLUDED] = {};

/* CLOCK_MONOTONIC just before the programs were attached (set by libkfr): threads started later
 * (task->start_time, same clock) have no history the programs could not see. */
__u64 attach_ns = 0;

/* CLOCK_MONOTONIC - runqueue clock, refreshed whenever the tp_btf program reads both anyway (each
 * interval >= threshold sent, each stack walk). The sched_waking program needs the interval's
 * length so far in the rq clock, and the rq clock of the waking CPU can be stale there (an idle
 * CPU taking an I/O interrupt has not updated it since it went idle): it reads CLOCK_MONOTONIC
 * and converts. The two clocks drift by NTP's ppm at most, negligible against a threshold. */
__s64 mono_minus_rq = 0;

/* A thread's stack ids for one user context: threads alternate between a few blocking sites
 * (e.g. park, socket read, a contended lock), so a few are kept per thread. */
struct kfr_fp {
	__u64 ip;           /* user context at the walk ... */
	__u64 sp;
	__u64 bp;
	__s64 sysnr;
	__u32 state;        /* ... and the state */
	__u32 hits;         /* reuses since the walk */
	__s32 kstack_id;
	__s32 ustack_id;
	__u32 valid;
	__u32 offcpu_ns;    /* off-CPU time of the reuses since the walk (< 2 * RECHECK_NS) */
	__u64 jsp, jpc, jfp;  /* Java anchor at the walk (0: not a Java thread / no anchor) */
	__u64 java_ref;       /* Java stack id of that walk */
	__u32 jgen;           /* java_generation at that walk */
	__u16 long_seen;      /* an interval of this context lasted >= threshold_ns: always verify */
	__u16 sepoch;         /* stack_epoch of kstack_id/ustack_id: an older one is walked again */
	struct jw_slots jslots; /* stack slots the Java walk depended on */
};

/* struct kfr_pending (a thread's pending interval): offcpu_records.h, libkfr reads it too. */

/* tp_btf: per-thread state in task storage. */
struct kfr_task {
	struct kfr_pending p;
	struct kfr_fp fp[FP_WAYS];
	struct kfr_fp waker[WAKER_WAYS]; /* the thread's contexts as a waker (waker_stacks_cached) */
	__u32 waker_victim;              /* next waker slot to replace */
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct kfr_task);
} tasks SEC(".maps");

/* Pending intervals keyed by tid: all of them under raw_tp; under tp_btf only those whose task
 * storage could not be created (LRU so entries of exited threads age out). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct kfr_pending);
} tasks_by_tid SEC(".maps");

/* Names of exited target threads (tid -> comm). */
struct kfr_comm {
	char comm[KFR_COMM_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, KFR_EXIT_NAMES);
	__type(key, __u32);
	__type(value, struct kfr_comm);
} exit_names SEC(".maps");

/* Kernel and user stacks, in two maps taken in turns by stack epoch (common/stack_epochs.h). */
struct kfr_stack_map stacks0 SEC(".maps");
struct kfr_stack_map stacks1 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20); /* set by libkfr */
} events SEC(".maps");

/* Wakers' stacks (see KFR_WAKER_STACK_ID_BIT). Taken with BPF_F_REUSE_STACKID: a full map or a
 * hash collision replaces the bucket's old stack instead of failing, since interrupted code makes
 * most interrupt-context stacks new. User space reads a waker's stack within one poll period
 * (<= 100 ms) of its event; a bucket overwritten in between would show a newer stack. */
struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 16384);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, MAX_STACK_DEPTH * sizeof(__u64));
} waker_stacks SEC(".maps");

static __always_inline __s32 waker_stack_id(void *ctx, __u64 flags)
{
	long id = bpf_get_stackid(ctx, &waker_stacks, flags | BPF_F_REUSE_STACKID);

	return id < 0 ? (__s32)id : (__s32)(id | KFR_WAKER_STACK_ID_BIT);
}

struct agg_map {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct kfr_offcpu_agg_key);
	__type(value, struct kfr_offcpu_agg_val);
};
struct agg_map agg0 SEC(".maps");
struct agg_map agg1 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, KFR_CNT__MAX);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

static __always_inline void count(__u32 idx, __u64 n)
{
	__u64 *c = bpf_map_lookup_elem(&counters, &idx);

	if (c)
		*c += n; /* per-CPU, and sched_switch runs with interrupts off: no atomics needed */
}

static __always_inline __u32 decode_state(bool preempt, __u32 s)
{
	if (preempt || s == 0)
		return KFR_STATE_R;
	switch (s & TASK_REPORT_MASK) {
	case TASK_INTERRUPTIBLE:
		return KFR_STATE_S;
	case TASK_UNINTERRUPTIBLE:
		return (s & TASK_NOLOAD) ? KFR_STATE_OTHER : KFR_STATE_D;
	default:
		return KFR_STATE_OTHER;
	}
}

/* Task state through CO-RE, for kernels whose sched_switch has no prev_state argument. */
struct task_struct___old {
	long state;
} __attribute__((preserve_access_index));

static __always_inline __u32 core_task_state(struct task_struct *t)
{
	if (bpf_core_field_exists(t->__state))
		return BPF_CORE_READ(t, __state);
	return BPF_CORE_READ((struct task_struct___old *)t, state);
}

static __always_inline void agg_add(void *map, struct kfr_offcpu_agg_key *key, __u64 dur)
{
	struct kfr_offcpu_agg_val *v = bpf_map_lookup_elem(map, key);

	if (!v) {
		struct kfr_offcpu_agg_val nv = { .count = 1, .total_ns = dur };
		long err = bpf_map_update_elem(map, key, &nv, BPF_NOEXIST);

		if (!err) {
			count(KFR_CNT_AGGREGATED, 1);
			return;
		}
		if (err == -EEXIST) /* another CPU inserted it meanwhile */
			v = bpf_map_lookup_elem(map, key);
		if (!v) { /* map full (or busy): the interval is lost, say how much */
			count(KFR_CNT_AGG_FULL, 1);
			count(KFR_CNT_AGG_FULL_NS, dur);
			return;
		}
	}
	__sync_fetch_and_add(&v->count, 1);
	__sync_fetch_and_add(&v->total_ns, dur);
	count(KFR_CNT_AGGREGATED, 1);
}

/* The waker of a summed interval, as the aggregation key keeps it (KFR_AGG_WAKER_*). */
static __always_inline __u32 agg_waker(const struct kfr_pending *t)
{
	if (!(t->waker_flags & KFR_WAKER_SEEN) || (t->waker_flags & KFR_WAKER_IRQ) || !t->waker_tid)
		return KFR_AGG_WAKER_NONE;
	return t->waker_tgid == target_tgid ? t->waker_tid : KFR_AGG_WAKER_OTHER;
}

static __always_inline void aggregate(__u32 tid, struct kfr_pending *t, __u64 dur)
{
	struct kfr_offcpu_agg_key key = {
		.tid = tid,
		.state = t->state,
		.kstack_id = t->kstack_id,
		.ustack_id = t->ustack_id,
		.syscall_nr = t->syscall_nr,
		.waker = agg_waker(t),
		.java_ref = t->java_ref,
	};

	if (agg_slot)
		agg_add(&agg1, &key, dur);
	else
		agg_add(&agg0, &key, dur);
}

/* Clock of the tp_btf program: the runqueue clock (sched_clock_cpu(), the clock perf uses),
 * which __schedule updates just before sched_switch fires. Reading it costs three loads;
 * bpf_ktime_get_ns() costs ~23 ns here and would be needed twice per switch. CLOCK_MONOTONIC is
 * read only for the (rare) ring-buffer events. The rq is reached from the task on this CPU
 * (se.cfs_rq->rq: the `runqueues` per-CPU ksym needs CONFIG_KALLSYMS_ALL, often off).
 * Intervals may start and end on different CPUs, so this needs a sched_clock that is stable
 * across CPUs: libkfr sets use_rq_clock only with the TSC clocksource. Otherwise, and on kernels
 * without CONFIG_FAIR_GROUP_SCHED, CLOCK_MONOTONIC is used throughout. */
static __always_inline bool rq_clock_usable(struct task_struct *cur)
{
	return use_rq_clock && bpf_core_field_exists(cur->se.cfs_rq);
}

static __always_inline __u64 tp_btf_now(struct task_struct *cur)
{
	if (rq_clock_usable(cur))
		return cur->se.cfs_rq->rq->clock;
	return bpf_ktime_get_ns();
}

/* Switch-in of a target thread whose switch-out was recorded in t. now and t->start_ns are in
 * the same clock: sched_clock (tp_btf, mono == false) or CLOCK_MONOTONIC (raw_tp, mono == true).
 * now is the switch-in time; ago is how long before this moment that was (0, except for an
 * interval recovered after a missed switch-in). */
static __always_inline bool is_excluded(__u32 tid)
{
#pragma unroll
	for (int i = 0; i < KFR_MAX_EXCLUDED; i++) {
		if (excluded_tids[i] == tid)
			return true;
	}
	return false;
}

/* Submit without waking the reader (it polls with a timeout) unless the ring is filling up. */
static __always_inline __u64 wakeup_flags(void)
{
	if (!wakeup_bytes)
		return 0;
	return bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= wakeup_bytes ? BPF_RB_FORCE_WAKEUP
									    : BPF_RB_NO_WAKEUP;
}

/* Returns the interval's length (0 if none was pending). */
static __always_inline __u64 switch_in_at(__u32 tid, struct kfr_pending *t, __u64 now, __u64 ago, bool mono)
{
	__u64 start = t->start_ns, dur;
	struct kfr_offcpu_event *e;

	if (!start)
		return 0;
	t->start_ns = 0;
	dur = (__s64)(now - start) > 0 ? now - start : 0;
	if (dur >= threshold_ns) {
		e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
		if (e) {
			e->tid = tid;
			e->state = t->state;
			e->start_ns = mono ? start : bpf_ktime_get_ns() - ago - dur;
			e->duration_ns = dur;
			e->kstack_id = t->kstack_id;
			e->ustack_id = t->ustack_id;
			e->syscall_nr = t->syscall_nr;
			e->cpu = t->cpu;
			/* a Java stack reused unverified is a sample for short intervals, never an
			 * event's stack */
			e->java_ref = t->java_sampled ? KFR_JAVA_UNVERIFIED : t->java_ref;
			if (t->java_sampled)
				count(KFR_CNT_JAVA_UNVERIFIED, 1);
			e->waker_tid = t->waker_tid;
			e->waker_tgid = t->waker_tgid;
			e->waker_kstack_id = t->waker_kstack_id;
			e->waker_ustack_id = t->waker_ustack_id;
			e->waker_java_ref = t->waker_java_ref;
			e->waker_flags = t->waker_flags;
			e->waker_pad = 0;
			if (!mono)
				mono_minus_rq = (__s64)(e->start_ns + dur - now); /* both at the switch-in */
			bpf_ringbuf_submit(e, wakeup_flags());
			count(KFR_CNT_EVENTS, 1);
			return dur;
		}
		count(KFR_CNT_RINGBUF_FULL, 1);
	}
	aggregate(tid, t, dur);
	return dur;
}

static __always_inline __u64 switch_in(__u32 tid, struct kfr_pending *t, __u64 now, bool mono)
{
	return switch_in_at(tid, t, now, 0, mono);
}

/* A switch-out found the thread's previous interval still pending: the kernel switched the
 * thread in without running the program (seen when the task switched out was one whose switches
 * do not fire sched_switch). The unseen switch-in is the thread's sched_info.last_arrival (rq
 * clock, CONFIG_SCHED_INFO): end the interval there. now is the current time in the interval's
 * clock (sched_clock, or CLOCK_MONOTONIC if mono). Without sched_info the interval is lost. */
static __always_inline void recover_unseen_switch_in(struct task_struct *task, __u32 tid, struct kfr_pending *t,
						     __u64 now, bool mono)
{
	__u64 arrival = 0, rq_now = 0;

	count(KFR_CNT_MISSED_SWITCH_IN, 1);
	if (bpf_core_field_exists(task->sched_info.last_arrival) && bpf_core_field_exists(task->se.cfs_rq)) {
		arrival = BPF_CORE_READ(task, sched_info.last_arrival);
		rq_now = BPF_CORE_READ(task, se.cfs_rq, rq, clock); /* task is current: this CPU's rq */
	}
	__u64 ago = rq_now - arrival;
	if (arrival && rq_now >= arrival && now - ago > t->start_ns && (__s64)(now - ago - t->start_ns) > 0) {
		switch_in_at(tid, t, now - ago, ago, mono);
	} else {
		count(KFR_CNT_MISSED_LOST, 1);
		t->start_ns = 0;
	}
}

static __always_inline __u32 task_pcount(struct task_struct *task)
{
	if (bpf_core_field_exists(task->sched_info.pcount))
		return (__u32)BPF_CORE_READ(task, sched_info.pcount);
	return 0;
}

/* sched_info.pcount counts the thread's arrivals on a CPU (CONFIG_SCHED_INFO). Between two
 * switch-outs the program sees there is exactly one; more means whole intervals (a switch-out
 * and a switch-in) happened without the program running: count them (their time is unknown).
 * seen: pcount at the last switch-out seen, 0 = none seen yet. A thread started after attach
 * has then had one arrival (its first run); of an older one the history is unknown. */
static __always_inline __u32 check_missed_switch_outs(struct task_struct *task, __u32 seen, __u32 pcount)
{
	if (!pcount)
		return 0;
	if (!seen && BPF_CORE_READ(task, start_time) <= attach_ns)
		return pcount;
	if (pcount - seen > 1 && pcount - seen < (1u << 31))
		count(KFR_CNT_MISSED_SWITCH_OUT, pcount - seen - 1);
	return pcount;
}

/* ---- Java frames (hotspot_walk.bpf.h) ---- */

/* A switching-out thread as the Java walker sees it: jt NULL if it is not a known Java thread,
 * an[0] == 0 if it has no Java frames to walk now (no anchor, or the anchor was unreadable). */
struct java_ctx {
	const struct kfr_java_thread *jt;
	__u64 an[3];
	struct pt_regs *regs; /* the thread's user registers, or NULL */
	bool preempted;       /* interrupted in user mode: the registers may start a walk */
	bool syscall;         /* in a system call (a waker): its registers may lead back to a leaf call */
};

static __always_inline void java_lookup(__u32 tid, struct java_ctx *j, struct pt_regs *regs, bool preempted)
{
	j->jt = NULL;
	j->regs = regs;
	j->preempted = preempted;
	j->syscall = false;
	j->an[0] = j->an[1] = j->an[2] = 0;
	if (!walk_cfg.enabled)
		return;
	j->jt = bpf_map_lookup_elem(&java_threads, &tid);
	if (j->jt && java_anchor(j->jt, j->an))
		j->an[0] = j->an[1] = j->an[2] = 0;
}

static __always_inline void count_java_walk(const struct jw_result *res, __u64 t0)
{
	count(KFR_CNT_JAVA_WALK_NS, bpf_ktime_get_ns() - t0);
	count(KFR_CNT_JAVA_WALK, 1);
	count(KFR_CNT_JAVA_FRAMES, res->frames);
	if (res->flags & JW_SENT)
		count(KFR_CNT_JAVA_SENT, 1);
	if (res->flags & JW_LOST)
		count(KFR_CNT_JAVA_LOST, 1);
	if (res->flags & JW_BROKEN)
		count(KFR_CNT_JAVA_BROKEN, 1);
	if (res->flags & JW_TRUNCATED)
		count(KFR_CNT_JAVA_TRUNCATED, 1);
}

/* A Java thread without an anchor: walked from its registers if it was preempted in Java code, or
 * if it is in a system call that a leaf call from Java led to. */
static __always_inline __u64 java_ref_no_anchor(__u32 tid, struct java_ctx *j);

/* Walks the thread's Java stack (no cache) and counts; slots may be NULL. */
static __always_inline __u64 java_ref_walk(__u32 tid, struct java_ctx *j, struct jw_slots *slots)
{
	struct jw_result res;

	if (slots)
		slots->span = 0;
	if (!j->jt)
		return KFR_JAVA_NONE;
	if (!j->an[0])
		return java_ref_no_anchor(tid, j);
	__u64 t0 = bpf_ktime_get_ns();
	__u64 id = java_walk(tid, j->jt, j->an, slots, &res);
	count_java_walk(&res, t0);
	return id;
}

static __always_inline __u64 java_ref_no_anchor(__u32 tid, struct java_ctx *j)
{
	struct jw_result res;
	__u64 id = KFR_JAVA_NO_ANCHOR;

	if ((j->preempted || j->syscall) && j->regs) {
		__u64 t0 = bpf_ktime_get_ns();
		if (j->syscall)
			id = java_walk_syscall(tid, j->jt, j->regs->sp, j->regs->bp, &res);
		else
			id = java_walk_regs(tid, j->jt, j->regs->ip, j->regs->sp, j->regs->bp, j->regs->r13, &res);
		if (id != KFR_JAVA_NO_ANCHOR) {
			count_java_walk(&res, t0);
			count(KFR_CNT_JAVA_FROM_REGS, 1);
			return id;
		}
	}
	count(KFR_CNT_JAVA_NO_ANCHOR, 1);
	return id;
}

static __always_inline bool fp_matches(const struct kfr_fp *c, __u64 ip, __u64 sp, __u64 bp, __s64 sysnr,
				       __u32 state, const struct java_ctx *j)
{
	return c->valid && c->ip == ip && c->sp == sp && c->bp == bp && c->sysnr == sysnr && c->state == state &&
	       c->jsp == j->an[0] && c->jpc == j->an[1] && c->jfp == j->an[2];
}

/* bp as part of a user context. Code built without frame pointers (glibc, C2-compiled Java) keeps
 * data in bp; it then changes at every switch although the stack does not. Only a bp that points
 * into the stack above sp is part of the context (it starts the frame-pointer walk); otherwise the
 * walk stops after ip anyway. */
static __always_inline __u64 context_bp(__u64 bp, __u64 sp)
{
	return bp - sp < FP_WINDOW ? bp : 0;
}

/* Makes c the context (ip, sp, bp, sysnr, state, Java anchor), not yet reused; its stacks are the
 * caller's to fill. */
static __always_inline void fp_set(struct kfr_fp *c, __u64 ip, __u64 sp, __u64 bp, __s64 sysnr, __u32 state,
				   const struct java_ctx *j)
{
	c->ip = ip;
	c->sp = sp;
	c->bp = bp;
	c->sysnr = sysnr;
	c->state = state;
	c->hits = 0;
	c->offcpu_ns = 0;
	c->jsp = j->an[0];
	c->jpc = j->an[1];
	c->jfp = j->an[2];
}

/* The Java stack id for a cached context f whose native part matched. A thread can reach the
 * same blocking point (same context, same anchor) through different callers, so every way with
 * this context is tried: the first whose verified slots are unchanged is reused. Otherwise the
 * stack is walked into a way of its own (so that alternating callers both stay cached), taking
 * f's native stack ids with it.
 * Verification (reading up to 16 KB of the thread's stack) is skipped after a short interval,
 * except for a random 1 in java_verify_mask + 1, for contexts none of whose intervals ever lasted
 * >= threshold_ns: the stack verified or walked last for this context is reused. Each short
 * interval then carries the Java stack found at the thread's last verification of that context: a
 * sample, not a check (see docs/unwinder-design.md). The interval's length is unknown here: one
 * that turns out >= threshold_ns (an event, which must be exact) is sent with KFR_JAVA_UNVERIFIED
 * instead (switch_in_at), and its context verifies always from then on (long_seen). */
static __always_inline __u64 java_ref_cached(struct kfr_task *t, __u32 tid, struct java_ctx *j, struct kfr_fp *f)
{
	if (!j->jt)
		return KFR_JAVA_NONE;
	if (!j->an[0])
		return java_ref_no_anchor(tid, j);
	if (!t->p.last_long && !f->long_seen && t->p.jway && (bpf_get_prandom_u32() & java_verify_mask)) {
		struct kfr_fp *c = &t->fp[(t->p.jway - 1) & (FP_WAYS - 1)];

		if (fp_matches(c, f->ip, f->sp, f->bp, f->sysnr, f->state, j) && c->java_ref >= 16 &&
		    c->jgen == java_generation && !c->long_seen) {
			count(KFR_CNT_JAVA_CACHE_HIT, 1);
			t->p.java_sampled = 1;
			return c->java_ref;
		}
	}
#pragma unroll
	for (int i = 0; i < FP_WAYS; i++) {
		struct kfr_fp *c = &t->fp[i];

		if (fp_matches(c, f->ip, f->sp, f->bp, f->sysnr, f->state, j) && c->java_ref >= 16 &&
		    c->jgen == java_generation && java_verify(&c->jslots, j->an[0])) {
			count(KFR_CNT_JAVA_CACHE_HIT, 1);
			t->p.jway = 1 + i;
			return c->java_ref;
		}
	}
	count(KFR_CNT_JAVA_VERIFY_MISS, 1);
	__u32 gi = t->p.victim & (FP_WAYS - 1);
	struct kfr_fp *g = &t->fp[gi];
	if (g != f) {
		t->p.victim++;
		__builtin_memcpy(g, f, offsetof(struct kfr_fp, java_ref));
		g->long_seen = f->long_seen;
		g->hits = 0;
		g->offcpu_ns = 0;
	}
	g->jgen = java_generation;
	g->java_ref = java_ref_walk(tid, j, &g->jslots);
	t->p.jway = 1 + gi;
	return g->java_ref;
}

/* A stack of the current epoch's map, its id tagged with the epoch. */
static __always_inline long epoch_stack(void *ctx, __u64 flags)
{
	bool collided;
	long id = kfr_epoch_stackid(ctx, &stacks0, &stacks1, stack_epoch, flags, &collided);

	if (id < 0)
		count(collided ? KFR_CNT_STACK_COLLISION : KFR_CNT_STACK_OTHER_ERR, 1);
	return id;
}

static __always_inline __s32 kernel_stack(void *ctx)
{
	long k = epoch_stack(ctx, 0);

	if (k < 0)
		count(KFR_CNT_KSTACK_ERR, 1);
	return (__s32)k;
}

static __always_inline __s32 user_stack(void *ctx)
{
	long u = epoch_stack(ctx, BPF_F_USER_STACK);

	if (u < 0)
		count(KFR_CNT_USTACK_ERR, 1);
	return (__s32)u;
}

static __always_inline void walk_stacks(void *ctx, __s32 *kstack_id, __s32 *ustack_id)
{
	*kstack_id = kernel_stack(ctx);
	*ustack_id = user_stack(ctx);
	count(KFR_CNT_STACK_WALK, 1);
}

/* The stacks of a thread preempted in user mode (state R, not in a syscall), whose Java walk from
 * its registers gave java_ref. When that walk gave Java frames, neither native walk can add
 * anything, and both are skipped:
 * - its kernel stack is the interrupt's return path into the scheduler, the same for every such
 *   interval, and the walk is the dearest part of a switch-out on a busy server (5-6 us here);
 * - its native user stack starts at the interrupted pc, in the code cache, where the stack
 *   resolver drops it for the Java frames.
 * A pc outside Java code (libjvm, libc, a JNI library; the JVM's own threads) walks both, as any
 * switch-out: there the native frames are the stack. */
static __always_inline void walk_preempted_stacks(void *ctx, __u64 java_ref, __s32 *kstack_id, __s32 *ustack_id)
{
	if (java_ref < KFR_JAVA_FIRST_REF) {
		walk_stacks(ctx, kstack_id, ustack_id);
		return;
	}
	*kstack_id = KFR_STACK_NOT_TAKEN;
	*ustack_id = KFR_STACK_NOT_TAKEN;
	count(KFR_CNT_STACK_WALK, 1);
}

/* A preempted switch-out whose stacks are not taken (see preempt_sample_mask); counted. after_long:
 * the thread's last interval lasted the threshold. Then its stacks are always taken: preemptions
 * come in runs while the CPUs are oversubscribed, so the next may well be long too, an event whose
 * stack should be exact. */
static __always_inline bool preempt_unsampled(__u32 state, bool after_long)
{
	if (state != KFR_STATE_R || after_long || !preempt_sample_mask ||
	    !(bpf_get_prandom_u32() & preempt_sample_mask))
		return false;
	count(KFR_CNT_PREEMPT_UNSAMPLED, 1);
	return true;
}

/* Records a switch-out in the tid map: raw_tp always, tp_btf when task storage is unavailable.
 * Walks the stacks (no cache here). now: CLOCK_MONOTONIC if mono, else sched_clock. */
static __always_inline void switch_out_by_tid(void *ctx, struct task_struct *task, __u32 tid, __u32 state,
					      __s64 sysnr, __u64 now, bool mono, __u32 seen)
{
	struct kfr_pending np = {
		.start_ns = now,
		.syscall_nr = (__s32)sysnr,
		.state = (__u8)state,
		.cpu = (__u16)bpf_get_smp_processor_id(),
	};
	struct java_ctx j;
	struct kfr_pending *p;

	if (preempt_unsampled(state, false)) {
		np.kstack_id = KFR_STACK_NOT_SAMPLED;
		np.ustack_id = KFR_STACK_NOT_SAMPLED;
		np.java_ref = KFR_JAVA_NONE;
	} else {
		walk_stacks(ctx, &np.kstack_id, &np.ustack_id);
		java_lookup(tid, &j, NULL, false);
		np.java_ref = java_ref_walk(tid, &j, NULL);
	}
	p = bpf_map_lookup_elem(&tasks_by_tid, &tid);
	if (p) {
		if (p->start_ns)
			recover_unseen_switch_in(task, tid, p, now, mono);
		np.pcount = check_missed_switch_outs(task, p->pcount, task_pcount(task));
		__builtin_memcpy(p, &np, sizeof(np));
	} else if (np.pcount = check_missed_switch_outs(task, seen, task_pcount(task)),
		   bpf_map_update_elem(&tasks_by_tid, &tid, &np, BPF_ANY)) {
		count(KFR_CNT_STORAGE_ERR, 1);
	}
}

/* tp_btf: pcount of a thread's tid-map entry (switch-outs kept there while it had no task
 * storage; a pending interval whose switch-in was missed is recovered), and the entry deleted;
 * 0 if none. Once per thread. */
static __always_inline __u32 take_tid_pcount(struct task_struct *task, __u32 tid)
{
	struct kfr_pending *p = bpf_map_lookup_elem(&tasks_by_tid, &tid);
	__u32 pc = 0;

	if (p) {
		if (p->start_ns)
			recover_unseen_switch_in(task, tid, p, tp_btf_now(task), !rq_clock_usable(task));
		pc = p->pcount;
		bpf_map_delete_elem(&tasks_by_tid, &tid);
	}
	return pc;
}

/* tp_btf, a target thread's last switch-out (TASK_DEAD): recover an interval whose switch-in was
 * missed, count intervals missed since the last switch-out seen (the final run is one arrival).
 * Once per thread. */
static __always_inline void exit_check(struct task_struct *prev)
{
	struct kfr_task *t;
	__u32 tid = prev->pid, seen;

	if (is_excluded(tid))
		return;
	t = bpf_task_storage_get(&tasks, prev, 0, 0);
	if (t && t->p.start_ns)
		recover_unseen_switch_in(prev, tid, &t->p, tp_btf_now(prev), !rq_clock_usable(prev));
	seen = t && t->p.pcount ? t->p.pcount : take_tid_pcount(prev, tid);
	if (bpf_core_field_exists(prev->sched_info.pcount))
		check_missed_switch_outs(prev, seen, (__u32)prev->sched_info.pcount);
}

/* ---- sched_switch: one handler, two attachments ----
 * tp_btf (btf == true): prev and next are BTF pointers (read directly), the switch-out goes to
 * task storage with a cache of stack fingerprints, and times come from the runqueue clock where
 * usable. raw_tp (the fallback where tp_btf does not load): reads go through CO-RE probe reads,
 * switch-outs go to the tid map, and times are CLOCK_MONOTONIC. btf is a constant in each wrapper,
 * so each program holds only its own branch. */

static __always_inline __u32 task_tgid(struct task_struct *t, const bool btf)
{
	return btf ? t->tgid : BPF_CORE_READ(t, tgid);
}

static __always_inline __u32 task_tid(struct task_struct *t, const bool btf)
{
	return btf ? t->pid : BPF_CORE_READ(t, pid);
}

/* raw_tp, a target thread's last switch-out (TASK_DEAD): as exit_check, for the tid map. */
static __always_inline void exit_check_by_tid(struct task_struct *prev, __u32 tid)
{
	struct kfr_pending *t = bpf_map_lookup_elem(&tasks_by_tid, &tid);

	if (!is_excluded(tid)) {
		if (t && t->start_ns)
			recover_unseen_switch_in(prev, tid, t, bpf_ktime_get_ns(), true);
		check_missed_switch_outs(prev, t ? t->pcount : 0, task_pcount(prev));
	}
	if (t)
		bpf_map_delete_elem(&tasks_by_tid, &tid);
}

/* tp_btf: records the switch-out of prev (a target thread, not excluded) in its task storage,
 * reusing the stack ids of a matching fingerprint. Returns the time it used (its rq's clock). */
static __always_inline __u64 switch_out_storage(void *ctx, struct task_struct *prev, __u32 tid, __u32 state)
{
	struct kfr_task *t;
	__u64 now = 0;

	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(prev);
	__u64 ip = 0, sp = 0, bp = 0;
	__s64 sysnr = -1;

	if (regs) {
		ip = regs->ip;
		sp = regs->sp;
		bp = context_bp(regs->bp, sp);
		sysnr = regs->orig_ax;
	}
	t = bpf_task_storage_get(&tasks, prev, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!t) {
		/* Creation refused: another task-storage user holds this CPU's busy lock
		 * (e.g. a preempted task exit freeing its storage), or no memory. Lookups of
		 * existing storage never fail, so only a thread's first switch-outs get here. */
		count(KFR_CNT_STORAGE_FALLBACK, 1);
		now = tp_btf_now(prev);
		switch_out_by_tid(ctx, prev, tid, state, sysnr, now, !rq_clock_usable(prev), 0);
		return now;
	}
	if (t->p.start_ns) { /* the last switch-in was never seen */
		now = tp_btf_now(prev);
		recover_unseen_switch_in(prev, tid, &t->p, now, !rq_clock_usable(prev));
	}
	if (bpf_core_field_exists(prev->sched_info.pcount)) {
		__u32 pc = (__u32)prev->sched_info.pcount;

		if (t->p.pcount && pc - t->p.pcount != 1)
			t->p.pcount = check_missed_switch_outs(prev, t->p.pcount, pc);
		else if (t->p.pcount)
			t->p.pcount = pc;
		else /* first switch-out seen since the storage exists: maybe kept in the tid map before */
			t->p.pcount = check_missed_switch_outs(prev, take_tid_pcount(prev, tid), pc);
	}
	struct kfr_fp *f = 0;
	__u32 way = 0;
	struct java_ctx j;

	t->p.java_sampled = 0;
	if (preempt_unsampled(state, t->p.last_long)) {
		t->p.kstack_id = KFR_STACK_NOT_SAMPLED;
		t->p.ustack_id = KFR_STACK_NOT_SAMPLED;
		t->p.java_ref = KFR_JAVA_NONE;
		goto record; /* no context: its time is not a context's (t->p.way = 0) */
	}
	/* a thread preempted in user mode may be running Java code: its registers start the walk
	 * (orig_ax < 0: interrupted, not in a syscall) */
	java_lookup(tid, &j, regs, state == KFR_STATE_R && sysnr < 0);
#pragma unroll
	for (int i = 0; i < FP_WAYS; i++) {
		struct kfr_fp *c = &t->fp[i];

		if (fp_matches(c, ip, sp, bp, sysnr, state, &j)) {
			f = c;
			way = i;
			break;
		}
	}
	if (f && f->sepoch == (__u16)stack_epoch && (f->hits < RECHECK_HITS || f->offcpu_ns < RECHECK_NS)) {
		f->hits++;
		count(KFR_CNT_STACK_CACHE_HIT, 1);
		t->p.kstack_id = f->kstack_id;
		t->p.ustack_id = f->ustack_id;
		t->p.java_ref = java_ref_cached(t, tid, &j, f);
	} else {
		if (!f) {
			way = t->p.victim & (FP_WAYS - 1);
			f = &t->fp[way];
			t->p.victim++;
			f->long_seen = 0;
		}
		fp_set(f, ip, sp, bp, sysnr, state, &j);
		f->jgen = java_generation;
		f->java_ref = java_ref_walk(tid, &j, &f->jslots);
		if (j.preempted && regs)
			walk_preempted_stacks(ctx, f->java_ref, &t->p.kstack_id, &t->p.ustack_id);
		else
			walk_stacks(ctx, &t->p.kstack_id, &t->p.ustack_id);
		f->kstack_id = t->p.kstack_id;
		f->ustack_id = t->p.ustack_id;
		f->sepoch = (__u16)stack_epoch;
		t->p.java_ref = f->java_ref;
		t->p.jway = 1 + (__u8)way;
		f->valid = 1;
	}
	way++;
record:
	t->p.way = (__u8)way;
	t->p.waker_flags = 0; /* a new interval: no waker yet */
	t->p.state = (__u8)state;
	t->p.syscall_nr = (__s32)sysnr;
	t->p.cpu = (__u16)bpf_get_smp_processor_id();
	if (!now)
		now = tp_btf_now(prev);
	t->p.start_ns = now;
	return now;
}

/* raw_tp: records the switch-out of prev (current here) in the tid map. */
static __always_inline void switch_out_raw(void *ctx, struct task_struct *prev, __u32 tid, __u32 state)
{
	__s64 sysnr = -1;

	/* prev is current here; its saved user registers give the syscall number */
	if (bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_task_pt_regs) &&
	    bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_get_current_task_btf)) {
		struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());

		if (regs)
			sysnr = BPF_CORE_READ(regs, orig_ax);
	}
	switch_out_by_tid(ctx, prev, tid, state, sysnr, bpf_ktime_get_ns(), true, 0);
}

/* tp_btf, the switch-in of a preemption whose stacks were not sampled and that lasted the threshold:
 * an event, whose stack should be exact. The thread has not run since it was preempted, so its Java
 * stack is still the one it was preempted with, and is walked now from its saved registers, when the
 * task switched out (current) shares its memory: the walker reads the memory of current's process.
 * Its kernel and native stacks stay untaken (as for a preemption in Java code, walk_preempted_stacks). */
static __always_inline void late_preempted_stack(struct task_struct *prev, struct task_struct *next, __u32 tid,
						 struct kfr_pending *p)
{
	struct java_ctx j;

	if (prev->mm != next->mm)
		return;
	java_lookup(tid, &j, (struct pt_regs *)bpf_task_pt_regs(next), p->syscall_nr < 0);
	__u64 ref = java_ref_walk(tid, &j, NULL);
	if (ref < KFR_JAVA_FIRST_REF)
		return;
	p->java_ref = ref;
	p->kstack_id = KFR_STACK_NOT_TAKEN;
	p->ustack_id = KFR_STACK_NOT_TAKEN;
	count(KFR_CNT_PREEMPT_LATE_STACK, 1);
}

/* Switch-in of next (a target thread). now: the switch-out's time if one was just recorded on
 * this CPU (tp_btf), else 0. */
static __always_inline void switch_in_next(struct task_struct *prev, struct task_struct *next, __u64 now,
					   const bool btf)
{
	__u32 tid = task_tid(next, btf);
	struct kfr_pending *p;

	if (btf) {
		/* never fails for existing storage (the busy lock only blocks creation) */
		struct kfr_task *t = bpf_task_storage_get(&tasks, next, 0, 0);

		if (!now) /* prev is still current: its rq is this CPU's */
			now = tp_btf_now(prev);
		if (t) {
			if (t->p.kstack_id == KFR_STACK_NOT_SAMPLED && t->p.start_ns &&
			    (__s64)(now - t->p.start_ns) >= (__s64)threshold_ns)
				late_preempted_stack(prev, next, tid, &t->p);
			__u64 dur = switch_in(tid, &t->p, now, !rq_clock_usable(prev));
			struct kfr_fp *w = &t->fp[(t->p.way - 1) & (FP_WAYS - 1)];

			/* the time goes to the context the interval's stacks came from */
			if (t->p.way && dur) {
				w->offcpu_ns += dur < RECHECK_NS ? (__u32)dur : (__u32)RECHECK_NS;
				if (dur >= threshold_ns)
					w->long_seen = 1;
			}
			t->p.way = 0;
			if (dur)
				t->p.last_long = dur >= threshold_ns;
			return;
		}
		/* no storage: a thread's first switch-in, an excluded thread, or a switch-out that
		 * went to the tid map */
	} else {
		now = bpf_ktime_get_ns();
	}
	p = bpf_map_lookup_elem(&tasks_by_tid, &tid);
	if (p) /* tp_btf: the entry stays (its pcount) until storage exists or the thread exits */
		switch_in(tid, p, now, btf ? !rq_clock_usable(prev) : true);
}

/* state_arg: the tracepoint's prev_state if it has one (has_state_arg), else prev's state is read
 * (only for a target thread: a read on every switch would cost every run). */
static __always_inline int handle_switch(void *ctx, bool preempt, struct task_struct *prev, struct task_struct *next,
					 __u32 state_arg, bool has_state_arg, const bool btf)
{
	__u32 tgid = target_tgid;
	__u64 now = 0;

	if (task_tgid(prev, btf) == tgid) {
		__u32 raw_state = has_state_arg ? state_arg : core_task_state(prev);
		__u32 tid = task_tid(prev, btf);

		if (raw_state & TASK_DEAD) { /* exiting: never switches in again; intervals missed before? */
			if (btf)
				exit_check(prev);
			else
				exit_check_by_tid(prev, tid);
			goto in;
		}
		if (is_excluded(tid)) {
			count(KFR_CNT_EXCLUDED, 1);
			goto in;
		}
		__u32 state = decode_state(preempt, raw_state);

		if (btf)
			now = switch_out_storage(ctx, prev, tid, state);
		else
			switch_out_raw(ctx, prev, tid, state);
	}
in:
	if (task_tgid(next, btf) == tgid)
		switch_in_next(prev, next, now, btf);
	return 0;
}

SEC("tp_btf/sched_switch")
int kfr_switch_btf(__u64 *ctx)
{
	return handle_switch(ctx, (bool)ctx[0], (struct task_struct *)ctx[1], (struct task_struct *)ctx[2],
			     has_prev_state_arg ? (__u32)ctx[3] : 0, has_prev_state_arg, true);
}

SEC("raw_tp/sched_switch")
int kfr_switch_raw(struct bpf_raw_tracepoint_args *ctx)
{
	return handle_switch(ctx, (bool)ctx->args[0], (struct task_struct *)ctx->args[1],
			     (struct task_struct *)ctx->args[2], 0, false, false);
}

/* ---- Wakers: sched_waking ----
 * try_to_wake_up() fires sched_waking in the waker's context (current: the thread that unparked,
 * unlocked, wrote to the socket; or whatever an interrupt or softirq of an I/O completion
 * interrupted), with the wakee's pi_lock held and interrupts off, so no sched_switch run can
 * interleave on this CPU (the Java walker's per-CPU scratch is safe). sched_wakeup is not used: it
 * may fire on the wakee's CPU from an IPI, where current is no longer the waker.
 * Per wake-up of a pending target interval: the waker's tid, tgid (cheap, every interval). For an
 * interval that has already lasted the threshold (it will become an event of its own), also the
 * waker's kernel stack and, for a waker in the target process, its user stack and Java stack
 * (the waker is current, so the Java walker reads its stack like a switching-out thread's).
 * Only the first wake-up of an interval counts (the one that made it runnable). */
/* Does this wake-up run in an interrupt (an I/O completion, a timer), where current is just the
 * task it interrupted? Two signs, without the per-CPU preempt_count (reading that needs
 * CONFIG_KALLSYMS_ALL):
 *  - the program runs off current's own kernel stack: x86_64 runs hard interrupts that hit kernel
 *    code, and the softirqs at their exit, on the CPU's interrupt stack;
 *  - an interrupt that hit user code runs on the task's stack, but then the task's saved user
 *    registers are an interrupt's (orig_ax < 0), not a system call's: a user thread wakes another
 *    only from a system call. */
#define KFR_TASK_STACK_MAX (32u << 10) /* THREAD_SIZE is 16 KB (32 KB with KASAN) */
#define PF_KTHREAD 0x00200000
static __always_inline bool in_interrupt_context(void)
{
	struct task_struct *cur = bpf_get_current_task_btf();
	volatile __u64 marker = 0;
	__u64 base = (__u64)cur->stack;
	__u64 here = (__u64)&marker;

	if (here - base >= KFR_TASK_STACK_MAX)
		return true;
	if (cur->flags & PF_KTHREAD)
		return false;
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(cur);

	return regs && (long)regs->orig_ax < 0;
}

static __always_inline bool waker_stacks_cached(void *ctx, struct kfr_pending *t);

static __always_inline void note_waker(void *ctx, struct kfr_pending *t, __u64 now, const bool btf)
{
	__u64 id;

	if (!t->start_ns || t->waker_flags)
		return;
	id = bpf_get_current_pid_tgid();
	t->waker_tid = (__u32)id;
	t->waker_tgid = (__u32)(id >> 32);
	t->waker_kstack_id = -1;
	t->waker_ustack_id = -1;
	t->waker_java_ref = KFR_JAVA_NONE;
	t->waker_flags = KFR_WAKER_SEEN;
	count(KFR_CNT_WAKEUPS, 1);
	bool irq = in_interrupt_context();

	if (irq)
		t->waker_flags |= KFR_WAKER_IRQ;
	if ((__s64)(now - t->start_ns) < (__s64)waker_stack_ns)
		return;
	t->waker_flags |= KFR_WAKER_STACK;
	count(KFR_CNT_WAKER_STACKS, 1);
	/* current is the waker, a thread of this process (not a task an interrupt ran on) */
	bool own = !irq && t->waker_tgid == target_tgid && t->waker_tid;

	if (btf && own && waker_stacks_cached(ctx, t))
		return;
	t->waker_kstack_id = waker_stack_id(ctx, 0);
	if (!own)
		return; /* the interrupted task's user stack is not the waker's */
	t->waker_ustack_id = waker_stack_id(ctx, BPF_F_USER_STACK);
	struct java_ctx j;

	/* a waker without an anchor (a monitor exit: a leaf call from Java into libjvm) may still reach
	 * its Java frames through libjvm's frame pointers from its registers at the system call */
	java_lookup(t->waker_tid, &j, (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf()), false);
	j.syscall = true;
	if (j.jt) {
		count(KFR_CNT_WAKER_JAVA, 1);
		t->waker_java_ref = java_ref_walk(t->waker_tid, &j, NULL);
	}
}

/* tp_btf: the stacks of a waker of this process at a system call (current; t its wakee's pending
 * interval), from the contexts it woke threads from before. A pool's producer wakes its workers
 * from one or two places again and again (Jetty: 3.5-4k waker stacks/s, nearly all of them Java
 * threads of the server), and each walk took its kernel, native and Java stack (~11 us here).
 * A context is the waker's user registers at the system call and its Java anchor, as a
 * switch-out's (fp_matches); its native stack ids are reused until RECHECK_HITS reuses or a new
 * stack epoch, and its Java stack while the slots it was walked from still hold the same values
 * (java_verify, every time: a waker's stack is an event's, never a sample). Its stacks go to the
 * epoch stack maps like a switch-out's (stable ids, so that they can be reused), not to
 * waker_stacks. false if the waker has no task storage (then its stacks are walked as for any
 * other waker). */
static __always_inline bool waker_stacks_cached(void *ctx, struct kfr_pending *t)
{
	struct task_struct *cur = bpf_get_current_task_btf();
	struct kfr_task *w = bpf_task_storage_get(&tasks, cur, 0, 0);
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(cur);
	struct kfr_fp *c = NULL;
	struct java_ctx j;

	if (!w || !regs)
		return false;
	__u64 ip = regs->ip, sp = regs->sp, bp = context_bp(regs->bp, sp);
	__s64 sysnr = regs->orig_ax;

	java_lookup(t->waker_tid, &j, regs, false);
	j.syscall = true;
#pragma unroll
	for (int i = 0; i < WAKER_WAYS; i++) {
		if (fp_matches(&w->waker[i], ip, sp, bp, sysnr, WAKER_STATE, &j)) {
			c = &w->waker[i];
			break;
		}
	}
	if (c && c->sepoch == (__u16)stack_epoch && c->hits < RECHECK_HITS) {
		c->hits++;
		count(KFR_CNT_WAKER_STACK_HIT, 1);
	} else {
		if (!c)
			c = &w->waker[w->waker_victim++ & (WAKER_WAYS - 1)];
		fp_set(c, ip, sp, bp, sysnr, WAKER_STATE, &j);
		c->java_ref = KFR_JAVA_NONE; /* walked below */
		c->kstack_id = kernel_stack(ctx);
		c->ustack_id = user_stack(ctx);
		c->sepoch = (__u16)stack_epoch;
		c->valid = 1;
	}
	t->waker_kstack_id = c->kstack_id;
	t->waker_ustack_id = c->ustack_id;
	if (!j.jt)
		return true;
	count(KFR_CNT_WAKER_JAVA, 1);
	if (!(j.an[0] && c->java_ref >= KFR_JAVA_FIRST_REF && c->jgen == java_generation &&
	      java_verify(&c->jslots, j.an[0]))) {
		c->jgen = java_generation;
		c->java_ref = java_ref_walk(t->waker_tid, &j, &c->jslots);
	}
	t->waker_java_ref = c->java_ref;
	return true;
}

/* Now in the clock of p's pending interval (tp_btf: the rq clock where usable). */
static __always_inline __u64 waking_now(struct task_struct *p)
{
	__s64 off = mono_minus_rq;

	if (!rq_clock_usable(p))
		return bpf_ktime_get_ns();
	if (off)
		return bpf_ktime_get_ns() - off;
	return p->se.cfs_rq->rq->clock; /* not calibrated yet (no event so far): maybe a little stale */
}

/* sched_waking of p: note the waker of p's pending interval (the first wake-up only). */
static __always_inline int handle_waking(void *ctx, struct task_struct *p, const bool btf)
{
	struct kfr_pending *q = NULL;
	__u32 tid;

	if (task_tgid(p, btf) != target_tgid)
		return 0;
	if (btf) {
		struct kfr_task *t = bpf_task_storage_get(&tasks, p, 0, 0);

		if (t)
			q = &t->p;
	}
	if (!q) { /* raw_tp, or a switch-out that went to the tid map (no task storage) */
		tid = task_tid(p, btf);
		q = bpf_map_lookup_elem(&tasks_by_tid, &tid);
		if (!q)
			return 0;
	}
	/* raw_tp times everything with CLOCK_MONOTONIC */
	if (q->start_ns && !q->waker_flags)
		note_waker(ctx, q, btf ? waking_now(p) : bpf_ktime_get_ns(), btf);
	return 0;
}

SEC("tp_btf/sched_waking")
int kfr_waking_btf(__u64 *ctx)
{
	return handle_waking(ctx, (struct task_struct *)ctx[0], true);
}

SEC("raw_tp/sched_waking")
int kfr_waking_raw(struct bpf_raw_tracepoint_args *ctx)
{
	return handle_waking(ctx, (struct task_struct *)ctx->args[0], false);
}

/* A target thread exits (runs in its context): keep its name for user space. */
SEC("raw_tp/sched_process_exit")
int kfr_exit(void *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct kfr_comm c;
	__u32 tid;

	(void)ctx;
	if ((__u32)(id >> 32) != target_tgid)
		return 0;
	tid = (__u32)id;
	if (bpf_get_current_comm(c.comm, sizeof(c.comm)))
		return 0;
	bpf_map_update_elem(&exit_names, &tid, &c, BPF_ANY);
	return 0;
}
