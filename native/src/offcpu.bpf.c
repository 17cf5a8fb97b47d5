// SPDX-License-Identifier: GPL-2.0
/* Off-CPU collector: one program on sched_switch, for the threads of one process.
 *
 * switch-out (prev in target): remember start time, state, cpu, syscall and stack ids.
 *   The stacks are walked only when the thread's user context (ip, sp, bp, syscall nr) and state
 *   match none of the last FP_WAYS contexts cached for the thread; otherwise the cached ids are
 *   reused (every 64th reuse of a context walks again so a changed kernel path does not stay
 *   hidden).
 * switch-in (next in target, pending start): intervals >= threshold_ns go to the ring buffer,
 *   shorter ones (and those the ring buffer has no room for) are summed per
 *   (tid, state, stacks, syscall) in one of two aggregation maps (agg_slot selects which).
 *
 * Two attachments of the same logic: tp_btf (task storage, cached stacks) and a raw_tp twin for
 * kernels where tp_btf does not load (hash map keyed by tid, always walks). libkfr loads one. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "kfr_records.h"

char LICENSE[] SEC("license") = "GPL";

#define TASK_INTERRUPTIBLE   0x0001
#define TASK_UNINTERRUPTIBLE 0x0002
#define TASK_DEAD            0x0080
#define TASK_NOLOAD          0x0400
#define TASK_REPORT_MASK     0x00ff
#define RECHECK_EVERY        64      /* cache hits between forced walks (power of two) */
#define FP_WAYS              4       /* cached user contexts per thread (power of two) */
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

/* Which aggregation map the programs write (0 or 1); flipped by libkfr through the mmapped .bss. */
__u32 agg_slot = 0;

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
	__u32 pad;
};

/* Per-thread state between switch-out and switch-in. */
struct kfr_task {
	__u64 start_ns;     /* switch-out time (clock: see tp_btf_now), 0 = nothing pending */
	__s32 kstack_id;
	__s32 ustack_id;
	__s32 syscall_nr;
	__u32 state;
	__u32 cpu;
	__u32 victim;       /* next fingerprint slot to replace */
	struct kfr_fp fp[FP_WAYS];
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct kfr_task);
} tasks SEC(".maps");

/* raw_tp fallback: same state keyed by tid (LRU so exited threads age out). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct kfr_task);
} tasks_by_tid SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 16384);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, MAX_STACK_DEPTH * sizeof(__u64));
} stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20); /* set by libkfr */
} events SEC(".maps");

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

static __always_inline void aggregate(__u32 tid, struct kfr_task *t, __u64 dur)
{
	struct kfr_offcpu_agg_key key = {
		.tid = tid,
		.state = t->state,
		.kstack_id = t->kstack_id,
		.ustack_id = t->ustack_id,
		.syscall_nr = t->syscall_nr,
		.pad = 0,
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
 * the same clock: sched_clock (tp_btf, mono == false) or CLOCK_MONOTONIC (raw_tp, mono == true). */
static __always_inline void switch_in(__u32 tid, struct kfr_task *t, __u64 now, bool mono)
{
	__u64 start = t->start_ns, dur;
	struct kfr_offcpu_event *e;

	if (!start)
		return;
	t->start_ns = 0;
	dur = (__s64)(now - start) > 0 ? now - start : 0;
	if (dur >= threshold_ns) {
		e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
		if (e) {
			e->tid = tid;
			e->state = t->state;
			e->start_ns = mono ? start : bpf_ktime_get_ns() - dur;
			e->duration_ns = dur;
			e->kstack_id = t->kstack_id;
			e->ustack_id = t->ustack_id;
			e->syscall_nr = t->syscall_nr;
			e->cpu = t->cpu;
			e->java_ref = 0;
			bpf_ringbuf_submit(e, 0);
			count(KFR_CNT_EVENTS, 1);
			return;
		}
		count(KFR_CNT_RINGBUF_FULL, 1);
	}
	aggregate(tid, t, dur);
}

static __always_inline void walk_stacks(void *ctx, __s32 *kstack_id, __s32 *ustack_id)
{
	long k = bpf_get_stackid(ctx, &stacks, 0);
	long u = bpf_get_stackid(ctx, &stacks, BPF_F_USER_STACK);

	if (k < 0)
		count(KFR_CNT_KSTACK_ERR, 1);
	if (u < 0)
		count(KFR_CNT_USTACK_ERR, 1);
	*kstack_id = (__s32)k;
	*ustack_id = (__s32)u;
	count(KFR_CNT_STACK_WALK, 1);
}

SEC("tp_btf/sched_switch")
int kfr_switch_btf(__u64 *ctx)
{
	bool preempt = (bool)ctx[0];
	struct task_struct *prev = (struct task_struct *)ctx[1];
	struct task_struct *next = (struct task_struct *)ctx[2];
	__u32 tgid = target_tgid;
	struct kfr_task *t;
	__u64 now = 0;

	if (prev->tgid == tgid) {
		__u32 raw = has_prev_state_arg ? (__u32)ctx[3] : core_task_state(prev);

		if (raw & TASK_DEAD) /* exiting: never switches in again */
			goto in;
		t = bpf_task_storage_get(&tasks, prev, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
		if (!t) {
			count(KFR_CNT_STORAGE_ERR, 1);
			goto in;
		}
		__u32 state = decode_state(preempt, raw);
		struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(prev);
		__u64 ip = 0, sp = 0, bp = 0;
		__s64 sysnr = -1;

		if (regs) {
			ip = regs->ip;
			sp = regs->sp;
			bp = regs->bp;
			sysnr = regs->orig_ax;
			/* Code built without frame pointers (glibc, C2-compiled Java) keeps data in bp;
			 * it then changes at every switch although the stack does not. Only a bp that
			 * points into the stack above sp is part of the fingerprint (it starts the
			 * frame-pointer walk); otherwise the walk stops after ip anyway. */
			if (bp - sp >= FP_WINDOW)
				bp = 0;
		}
		struct kfr_fp *f = 0;
#pragma unroll
		for (int i = 0; i < FP_WAYS; i++) {
			struct kfr_fp *c = &t->fp[i];

			if (c->valid && c->ip == ip && c->sp == sp && c->bp == bp && c->sysnr == sysnr &&
			    c->state == state) {
				f = c;
				break;
			}
		}
		if (f && (++f->hits & (RECHECK_EVERY - 1)) != 0) {
			count(KFR_CNT_STACK_CACHE_HIT, 1);
			t->kstack_id = f->kstack_id;
			t->ustack_id = f->ustack_id;
		} else {
			walk_stacks(ctx, &t->kstack_id, &t->ustack_id);
			if (!f) {
				f = &t->fp[t->victim & (FP_WAYS - 1)];
				t->victim++;
			}
			f->ip = ip;
			f->sp = sp;
			f->bp = bp;
			f->sysnr = sysnr;
			f->state = state;
			f->hits = 0;
			f->kstack_id = t->kstack_id;
			f->ustack_id = t->ustack_id;
			f->valid = 1;
		}
		t->state = state;
		t->syscall_nr = (__s32)sysnr;
		t->cpu = bpf_get_smp_processor_id();
		now = tp_btf_now(prev);
		t->start_ns = now;
	}
in:
	if (next->tgid == tgid) {
		t = bpf_task_storage_get(&tasks, next, 0, 0);
		if (t) {
			if (!now) /* prev is still current: its rq is this CPU's */
				now = tp_btf_now(prev);
			switch_in(next->pid, t, now, !rq_clock_usable(prev));
		}
	}
	return 0;
}

SEC("raw_tp/sched_switch")
int kfr_switch_raw(struct bpf_raw_tracepoint_args *ctx)
{
	bool preempt = (bool)ctx->args[0];
	struct task_struct *prev = (struct task_struct *)ctx->args[1];
	struct task_struct *next = (struct task_struct *)ctx->args[2];
	__u32 tgid = target_tgid;
	struct kfr_task *t;
	__u32 tid;

	if (BPF_CORE_READ(prev, tgid) == tgid) {
		__u32 raw = core_task_state(prev);
		__s64 sysnr = -1;

		if (raw & TASK_DEAD) {
			tid = BPF_CORE_READ(prev, pid);
			bpf_map_delete_elem(&tasks_by_tid, &tid);
			goto in;
		}
		struct kfr_task nt = {};

		walk_stacks(ctx, &nt.kstack_id, &nt.ustack_id);
		/* prev is current here; its saved user registers give the syscall number */
		if (bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_task_pt_regs) &&
		    bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_get_current_task_btf)) {
			struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());

			if (regs)
				sysnr = BPF_CORE_READ(regs, orig_ax);
		}
		nt.state = decode_state(preempt, raw);
		nt.syscall_nr = (__s32)sysnr;
		nt.cpu = bpf_get_smp_processor_id();
		nt.start_ns = bpf_ktime_get_ns();
		tid = BPF_CORE_READ(prev, pid);
		if (bpf_map_update_elem(&tasks_by_tid, &tid, &nt, BPF_ANY))
			count(KFR_CNT_STORAGE_ERR, 1);
	}
in:
	if (BPF_CORE_READ(next, tgid) == tgid) {
		tid = BPF_CORE_READ(next, pid);
		t = bpf_map_lookup_elem(&tasks_by_tid, &tid);
		if (t)
			switch_in(tid, t, bpf_ktime_get_ns(), true);
	}
	return 0;
}
