/* Off-CPU collector records shared by offcpu.bpf.c, libkfr.so and the Java decoder
 * (io.kfr.collectors.offcpu.OffCpuRecordLayout; KfrNative.layout checks the offsets agree).
 * Little-endian, fixed layout. */
#ifndef KFR_OFFCPU_RECORDS_H
#define KFR_OFFCPU_RECORDS_H

#include "common/stack_epochs.h"

/* State codes (OffCpuState.fromCode). */
#define KFR_STATE_R      0   /* preempted while runnable */
#define KFR_STATE_S      1   /* TASK_INTERRUPTIBLE */
#define KFR_STATE_D      2   /* TASK_UNINTERRUPTIBLE (not TASK_IDLE) */
#define KFR_STATE_OTHER  3   /* TASK_IDLE, stopped, traced, ... */

/* A stack id for a stack not walked because it could add nothing (a thread preempted in user mode:
 * its kernel stack is the interrupt's return path; its native user stack, when its Java walk from
 * registers succeeded). Distinct from the kernel's errors (-EFAULT, -EEXIST, ...), not counted as one. */
#define KFR_STACK_NOT_TAKEN (-1000)
/* The stack ids of a preempted interval (state R) whose stacks were not sampled: stacks of
 * preemptions are taken for a random 1 in N switch-outs (preempt_sample_mask, option
 * offcpu.preempted), the others carry this id in both stacks and no Java stack. Their time is
 * exact; user space shares the summed ones among the sampled stacks of the same thread
 * (PreemptedShares). One that lasts the threshold is an event: its Java stack is walked at its
 * switch-in when the task switched out shares its memory, else it has no stack. */
#define KFR_STACK_NOT_SAMPLED (-1001)

/* One off-CPU interval at or above the threshold; ring buffer record, 80 bytes. The waker fields
 * (sched_waking) are valid when waker_flags has KFR_WAKER_SEEN: the task that woke the thread
 * (current at the wake-up: a thread, an interrupted task, the idle task, a kernel thread). Its
 * stacks are taken only when the interval had lasted at least the threshold at the wake-up
 * (KFR_WAKER_STACK); the user and Java stacks only for a waker of the target process. */
struct kfr_offcpu_event {
	__u32 tid;
	__u32 state;        /* KFR_STATE_* */
	__u64 start_ns;     /* CLOCK_MONOTONIC, switch-out */
	__u64 duration_ns;  /* switch-in - switch-out */
	__s32 kstack_id;    /* id in the stack map, < 0 when unavailable (KFR_STACK_NOT_TAKEN: skipped by design) */
	__s32 ustack_id;    /* id in the stack map, < 0 when unavailable */
	__s32 syscall_nr;   /* syscall blocked in, -1 when not in a syscall */
	__u32 cpu;          /* CPU the thread was switched out on */
	__u64 java_ref;     /* Java stack id (KFR_JAVA_* of hotspot/java_stack_records.h, or an id announced by a java stack record) */
	__u32 waker_tid;    /* current at the wake-up (0: idle task) */
	__u32 waker_tgid;
	__s32 waker_kstack_id;
	__s32 waker_ustack_id;
	__u64 waker_java_ref;
	__u32 waker_flags;  /* KFR_WAKER_* */
	__u32 waker_pad;
};

/* Waker stack ids live in a map of their own (waker_stacks): this bit marks them. A wake-up in an
 * interrupt has the interrupted code below it, a new stack nearly every time; in the shared map
 * those would fill it and crowd out the switch-out stacks. */
#define KFR_WAKER_STACK_ID_BIT 0x40000000
/* Switch-out stack ids are in epochs (common/stack_epochs.h): a thread off the CPU across two
 * epoch changes has expired ids. */
#define KFR_WAKER_SEEN  1   /* a sched_waking for this interval was seen (none: preempted, or missed) */
#define KFR_WAKER_STACK 2   /* the waker's stacks were taken (interval >= threshold at the wake-up) */
#define KFR_WAKER_IRQ   4   /* the wake-up ran in an interrupt (off the task's own kernel stack): current
                             * is whatever was interrupted, not the waker (an I/O completion, a timer) */

/* A thread's pending interval, between switch-out and switch-in: the value of offcpu.bpf.c's
 * tasks_by_tid map and the start of its task storage (struct kfr_task). BPF's own state; libkfr
 * reads the stack ids of pending intervals at a stack epoch change (kfr_offcpu_pending_stacks). */
struct kfr_pending {
	__u64 start_ns;     /* switch-out time (clock: see tp_btf_now), 0 = nothing pending */
	__s32 kstack_id;
	__s32 ustack_id;
	__s32 syscall_nr;
	__u16 cpu;
	__u8 state;
	__u8 victim;        /* tp_btf: next fingerprint slot to replace (kept here: 256-byte kfr_task) */
	__u32 pcount;       /* sched_info.pcount at the last switch-out seen, 0 = unknown */
	__u8 way;           /* tp_btf: 1 + the fingerprint slot of the pending interval, 0 = none */
	__u8 jway;          /* tp_btf: 1 + the slot whose Java stack was verified or walked last, 0 = none */
	__u8 last_long;     /* tp_btf: the thread's previous interval lasted >= threshold_ns */
	__u8 java_sampled;  /* tp_btf: java_ref was reused without verification (a sample, see
			     * java_ref_cached): an event (>= threshold_ns) must not carry it */
	__u64 java_ref;     /* KFR_JAVA_* or a Java stack id */
	/* who woke the thread (sched_waking); reset at every switch-out */
	__u32 waker_tid;
	__u32 waker_tgid;
	__s32 waker_kstack_id;
	__s32 waker_ustack_id;
	__u64 waker_java_ref;
	__u32 waker_flags;  /* KFR_WAKER_*, 0: no wake-up seen yet */
	__u32 waker_pad;
};

/* Aggregation of intervals below the threshold; hash map key, 32 bytes. */
struct kfr_offcpu_agg_key {
	__u32 tid;
	__u32 state;
	__s32 kstack_id;
	__s32 ustack_id;
	__s32 syscall_nr;
	__u32 waker;   /* who woke every interval of the sum: see KFR_AGG_WAKER_* */
	__u64 java_ref;
};

/* kfr_offcpu_agg_key.waker: the tid of a thread of this process that woke the summed intervals,
 * or one of these (tids stay below 2^22). Sums are kept per waker, so that a pool worker's short
 * waits say who handed it work, and a lock's short waits who released it. A wake-up from an
 * interrupt is not told apart from a timer here (that needs the waker's kernel stack, which only
 * long intervals get): such sums say no waker rather than a wrong kind. */
#define KFR_AGG_WAKER_NONE  0u           /* no wake-up seen (preempted), or woken in an interrupt */
#define KFR_AGG_WAKER_OTHER 0xfffffffeu  /* a thread of another process, or a kernel thread */

/* Hash map value, 16 bytes. Drained record = key followed by value, 48 bytes. */
struct kfr_offcpu_agg_val {
	__u64 count;
	__u64 total_ns;
};

/* Indexes of the per-CPU counters (summed by libkfr).
 *
 * Every off-CPU interval of a target thread whose end (switch-in) the program sees goes exactly
 * one of three ways, so that, once the program is detached and everything is drained:
 *   records read from the ring buffer             == KFR_CNT_EVENTS
 *   sum of `count` over drained aggregate entries == KFR_CNT_AGGREGATED
 *   intervals dropped after their end was seen    == KFR_CNT_AGG_FULL (time: KFR_CNT_AGG_FULL_NS)
 * Intervals that go to the aggregation map because the ring buffer was full are in
 * KFR_CNT_AGGREGATED (they are in the drained counts) and, in addition, in KFR_CNT_RINGBUF_FULL
 * (or in KFR_CNT_AGG_FULL if the map was full as well).
 *
 * Switches the program does not see. The kernel does not always run the program: measured on a
 * 6.18 VM, rq->nr_switches advances without a sched_switch call (neither BPF nor ftrace sees
 * it) when certain tasks run on the CPU, with recursion_misses 0.
 *  - A missed switch-in is noticed at the thread's next switch-out (its interval is still
 *    pending): KFR_CNT_MISSED_SWITCH_IN. The interval is then ended at the thread's
 *    sched_info.last_arrival (the unseen switch-in, CONFIG_SCHED_INFO) and counted like any
 *    other; without that field it is lost: KFR_CNT_MISSED_LOST.
 *  - A missed switch-out starts no interval. Whole intervals missed this way are counted from
 *    sched_info.pcount (arrivals on a CPU: one between two switch-outs seen, more means missed
 *    intervals): KFR_CNT_MISSED_SWITCH_OUT, lost, time unknown.
 *  - A run the kernel skipped for recursion (KFR_STAT_PROG_RECURSION_MISSES) is such a miss.
 * Other losses: KFR_CNT_STORAGE_ERR (a switch-out could not be stored anywhere).
 * Not intervals: switch-outs of excluded threads (kfr's own, KFR_CNT_EXCLUDED), a thread switching
 * out while exiting (TASK_DEAD: it never comes back); sched_switch does not fire when
 * prev == next (no switch happens). */
enum kfr_offcpu_counter {
	KFR_CNT_EVENTS = 0,          /* intervals sent through the ring buffer (one record each) */
	KFR_CNT_AGGREGATED,          /* intervals added to an aggregation map (incl. ring-buffer overflow) */
	KFR_CNT_RINGBUF_FULL,        /* intervals >= threshold that found the ring buffer full (then aggregated) */
	KFR_CNT_AGG_FULL,            /* aggregation map full: interval lost */
	KFR_CNT_AGG_FULL_NS,         /* off-CPU ns of those lost intervals */
	KFR_CNT_KSTACK_ERR,          /* bpf_get_stackid failed for the kernel stack (interval kept, id < 0) */
	KFR_CNT_USTACK_ERR,          /* bpf_get_stackid failed for the user stack (interval kept, id < 0) */
	KFR_CNT_STACK_CACHE_HIT,     /* stack ids reused from the thread's cache (no walk) */
	KFR_CNT_STACK_WALK,          /* stacks walked */
	KFR_CNT_STORAGE_ERR,         /* switch-out could not be stored anywhere: interval lost */
	KFR_CNT_STORAGE_FALLBACK,    /* tp_btf: no task storage (busy lock, no memory): switch-out kept
	                              * in the per-tid hash map instead; not lost */
	KFR_CNT_MISSED_SWITCH_IN,    /* switch-ins the program did not see (interval recovered unless
	                              * counted in KFR_CNT_MISSED_LOST) */
	KFR_CNT_MISSED_LOST,         /* of those, intervals that could not be recovered: lost */
	KFR_CNT_MISSED_SWITCH_OUT,   /* whole intervals the program did not see: lost, time unknown */
	KFR_CNT_EXCLUDED,            /* switch-outs of excluded threads (kfr's own), not recorded */
	/* Java stacks (switch-outs of known Java threads) */
	KFR_CNT_JAVA_WALK,           /* Java stacks walked */
	KFR_CNT_JAVA_WALK_NS,        /* time spent walking them (bpf_ktime_get_ns around the walk) */
	KFR_CNT_JAVA_FRAMES,         /* physical frames those walks produced */
	KFR_CNT_JAVA_CACHE_HIT,      /* Java stack id reused: context and verified slots unchanged */
	KFR_CNT_JAVA_VERIFY_MISS,    /* context matched but a verified stack slot changed: walked */
	KFR_CNT_JAVA_NO_ANCHOR,      /* Java thread without walkable frames at the switch (KFR_JAVA_NO_ANCHOR) */
	KFR_CNT_JAVA_BROKEN,         /* walks that ended with a KFR_JF_BROKEN frame */
	KFR_CNT_JAVA_TRUNCATED,      /* walks cut at KFR_JAVA_MAX_FRAMES */
	KFR_CNT_JAVA_SENT,           /* java stack records sent (new ids) */
	KFR_CNT_JAVA_LOST,           /* java stack records the stack ring had no room for */
	KFR_CNT_JAVA_FROM_REGS,      /* of the walks, those started from the registers of a thread
	                              * preempted in Java code (no anchor) */
	/* Wakers (sched_waking of a target thread with a pending interval) */
	KFR_CNT_WAKEUPS,             /* wake-ups of pending intervals seen (waker recorded) */
	KFR_CNT_WAKER_STACKS,        /* of those, wake-ups of intervals >= threshold: waker stacks taken */
	KFR_CNT_WAKER_JAVA,          /* of those, wakers that were Java threads of the target: Java stack walked */
	KFR_CNT_STACK_COLLISION,     /* of the stack errors: the map's bucket held another stack (EEXIST) */
	KFR_CNT_STACK_OTHER_ERR,     /* of the stack errors: anything else (EFAULT, ENOMEM, ...) */
	KFR_CNT_JAVA_UNVERIFIED,     /* events sent with KFR_JAVA_UNVERIFIED: their context's Java stack was
	                              * reused unverified (a sample) and the interval turned out long */
	KFR_CNT_WAKER_STACK_HIT,     /* of the waker stacks, those whose native ids came from the waker's
	                              * cached contexts (waker_stacks_cached) */
	KFR_CNT_PREEMPT_UNSAMPLED,   /* preempted switch-outs (state R) whose stacks were not sampled
	                              * (KFR_STACK_NOT_SAMPLED): no lookup, no walk */
	KFR_CNT_PREEMPT_LATE_STACK,  /* of those, preemptions that lasted the threshold and whose Java
	                              * stack was walked at their switch-in (late_preempted_stack) */
	KFR_CNT__MAX
};

/* Most threads excluded at once (kfr_offcpu_exclude_thread / KfrNative.offcpuExcludeThread). */
#define KFR_MAX_EXCLUDED 4

/* Thread names kept at exit (tid -> comm), for threads that end before user space names them. */
#define KFR_EXIT_NAMES 4096
#define KFR_COMM_LEN   16

/* Layout of the long[] filled by kfr_offcpu_stats / KfrNative.collectorStats:
 * [0 .. KFR_CNT__MAX-1] the counters above, then, summed over all kfr programs of the collector
 * (bpf_prog_info): [KFR_STAT_PROG_RUN_CNT] run count, [KFR_STAT_PROG_RUN_NS] run time (both need
 * BPF_ENABLE_STATS), [KFR_STAT_PROG_RECURSION_MISSES] runs the kernel skipped because a program of
 * the collector was already running on that CPU. */
#define KFR_STAT_PROG_RUN_CNT          (KFR_CNT__MAX)
#define KFR_STAT_PROG_RUN_NS           (KFR_CNT__MAX + 1)
#define KFR_STAT_PROG_RECURSION_MISSES (KFR_CNT__MAX + 2)
/* the sched_waking program alone (also in the sums above), to see what waker tracking costs */
#define KFR_STAT_WAKER_RUN_CNT         (KFR_CNT__MAX + 3)
#define KFR_STAT_WAKER_RUN_NS          (KFR_CNT__MAX + 4)
#define KFR_STAT__LEN                  (KFR_CNT__MAX + 5)

#endif
