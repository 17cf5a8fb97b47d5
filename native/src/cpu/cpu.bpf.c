// SPDX-License-Identifier: GPL-2.0
/* CPU sampler: a perf_event program (cpu-clock or cycles, one event per CPU) that keeps the
 * samples of the target process's threads: kernel, user and Java stacks (the HotSpot walker,
 * from the thread's anchor if it is in VM or native code, else from the interrupted registers). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "cpu/cpu_records.h"
#include "common/stack_epochs.bpf.h"
#include "hotspot/java_stack_records.h"
#include "hotspot/hotspot_walk.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define MAX_STACK_DEPTH 127

const volatile __u32 target_tgid = 0;

/* Kernel and user stacks, in two maps taken in turns by stack epoch (common/stack_epochs.h):
 * sampled user stacks through JIT code are new nearly every time and fill one map in minutes. */
struct kfr_stack_map cpu_stacks0 SEC(".maps");
struct kfr_stack_map cpu_stacks1 SEC(".maps");
/* The stack epoch, advanced by libkfr (mmapped .bss). */
__u32 stack_epoch = 0;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20); /* set by libkfr */
} samples SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, KFR_CPU_CNT__MAX);
	__type(key, __u32);
	__type(value, __u64);
} cpu_counters SEC(".maps");

static __always_inline void count(__u32 idx, __u64 n)
{
	__u64 *c = bpf_map_lookup_elem(&cpu_counters, &idx);

	if (c)
		*c += n;
}

static __always_inline __s32 epoch_stack(void *ctx, __u64 flags)
{
	bool collided;
	long id = kfr_epoch_stackid(ctx, &cpu_stacks0, &cpu_stacks1, stack_epoch, flags, &collided);

	if (collided)
		count(KFR_CPU_CNT_STACK_COLLISION, 1);
	return (__s32)id;
}

/* The perf_event context allows only 8-byte reads of its registers. */
static __always_inline __u64 ctx_reg(const __u64 *reg)
{
	return *(volatile const __u64 *)reg;
}

static __always_inline bool user_mode(struct bpf_perf_event_data *ctx)
{
	return ctx_reg((const __u64 *)&ctx->regs.cs) & 3;
}

/* The Java stack of the sampled thread: from its anchor when it is outside Java code; else from
 * the registers it was interrupted with (in user mode: the sample's; in the kernel: the user
 * registers saved at kernel entry), and *from_regs is set. */
static __always_inline __u64 java_ref(__u32 tid, struct bpf_perf_event_data *ctx, bool *from_regs)
{
	const struct kfr_java_thread *jt;
	struct jw_result res = {};
	__u64 an[3], id, t0;

	if (!walk_cfg.enabled)
		return KFR_JAVA_NONE;
	jt = bpf_map_lookup_elem(&java_threads, &tid);
	if (!jt)
		return KFR_JAVA_NONE;
	t0 = bpf_ktime_get_ns();
	if (!java_anchor(jt, an) && an[0]) {
		id = java_walk(tid, jt, an, NULL, &res);
	} else {
		__u64 ip, sp, bp, r13;

		if (user_mode(ctx)) { /* interrupted in user mode */
			ip = ctx_reg((const __u64 *)&ctx->regs.ip);
			sp = ctx_reg((const __u64 *)&ctx->regs.sp);
			bp = ctx_reg((const __u64 *)&ctx->regs.bp);
			r13 = ctx_reg((const __u64 *)&ctx->regs.r13);
		} else {
			struct pt_regs *u = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());

			if (!u) {
				count(KFR_CPU_CNT_JAVA_NO_ANCHOR, 1);
				return KFR_JAVA_NO_ANCHOR;
			}
			ip = u->ip;
			sp = u->sp;
			bp = u->bp;
			r13 = u->r13;
		}
		id = java_walk_regs(tid, jt, ip, sp, bp, r13, &res);
		if (id == KFR_JAVA_NO_ANCHOR) {
			count(KFR_CPU_CNT_JAVA_NO_ANCHOR, 1);
			return id;
		}
		count(KFR_CPU_CNT_JAVA_FROM_REGS, 1);
		*from_regs = true;
	}
	count(KFR_CPU_CNT_JAVA_WALK_NS, bpf_ktime_get_ns() - t0);
	count(KFR_CPU_CNT_JAVA_WALK, 1);
	count(KFR_CPU_CNT_JAVA_FRAMES, res.frames);
	if (res.flags & JW_SENT)
		count(KFR_CPU_CNT_JAVA_SENT, 1);
	if (res.flags & JW_LOST)
		count(KFR_CPU_CNT_JAVA_LOST, 1);
	if (res.flags & JW_BROKEN)
		count(KFR_CPU_CNT_JAVA_BROKEN, 1);
	return id;
}

SEC("perf_event")
int kfr_cpu_sample(struct bpf_perf_event_data *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct kfr_cpu_sample *s;
	__u32 tid = (__u32)id;

	if ((__u32)(id >> 32) != target_tgid || !tid) {
		count(KFR_CPU_CNT_OTHER, 1);
		return 0;
	}
	s = bpf_ringbuf_reserve(&samples, sizeof(*s), 0);
	if (!s) {
		count(KFR_CPU_CNT_LOST, 1);
		return 0;
	}
	s->tid = tid;
	s->cpu = bpf_get_smp_processor_id();
	s->time_ns = bpf_ktime_get_ns();
	s->period = ctx->sample_period;
	s->kstack_id = -1;
	if (!user_mode(ctx)) {
		s->kstack_id = epoch_stack(ctx, 0);
		if (s->kstack_id < 0)
			count(KFR_CPU_CNT_KSTACK_ERR, 1);
	}
	bool from_regs = false;

	s->java_ref = java_ref(tid, ctx, &from_regs);
	/* Interrupted in Java code: the walk from the registers gave every Java frame, and a native
	 * walk would start in the code cache, where the stack resolver drops its frames for them. */
	if (from_regs && user_mode(ctx) && s->java_ref >= KFR_JAVA_FIRST_REF) {
		s->ustack_id = -1;
		count(KFR_CPU_CNT_USTACK_SKIPPED, 1);
	} else {
		s->ustack_id = epoch_stack(ctx, BPF_F_USER_STACK);
		if (s->ustack_id < 0)
			count(KFR_CPU_CNT_USTACK_ERR, 1);
	}
	bpf_ringbuf_submit(s, BPF_RB_NO_WAKEUP); /* the reader polls with a timeout */
	count(KFR_CPU_CNT_SAMPLES, 1);
	return 0;
}
