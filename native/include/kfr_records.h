/* Records shared by the BPF programs, libkfr.so and the Java decoder
 * (io.kfr.collectors.natives.OffCpuRecords). Little-endian, fixed layout: change all three together. */
#ifndef KFR_RECORDS_H
#define KFR_RECORDS_H

/* State codes (OffCpuState.fromCode). */
#define KFR_STATE_R      0   /* preempted while runnable */
#define KFR_STATE_S      1   /* TASK_INTERRUPTIBLE */
#define KFR_STATE_D      2   /* TASK_UNINTERRUPTIBLE (not TASK_IDLE) */
#define KFR_STATE_OTHER  3   /* TASK_IDLE, stopped, traced, ... */

/* One off-CPU interval at or above the threshold; ring buffer record, 48 bytes. */
struct kfr_offcpu_event {
	__u32 tid;
	__u32 state;        /* KFR_STATE_* */
	__u64 start_ns;     /* CLOCK_MONOTONIC, switch-out */
	__u64 duration_ns;  /* switch-in - switch-out */
	__s32 kstack_id;    /* id in the stack map, < 0 when unavailable */
	__s32 ustack_id;    /* id in the stack map, < 0 when unavailable */
	__s32 syscall_nr;   /* syscall blocked in, -1 when not in a syscall */
	__u32 cpu;          /* CPU the thread was switched out on */
	__u64 java_ref;     /* reserved for the HotSpot unwinder: 0 for now */
};

/* Aggregation of intervals below the threshold; hash map key, 24 bytes. */
struct kfr_offcpu_agg_key {
	__u32 tid;
	__u32 state;
	__s32 kstack_id;
	__s32 ustack_id;
	__s32 syscall_nr;
	__u32 pad;
};

/* Hash map value, 16 bytes. Drained record = key followed by value, 40 bytes. */
struct kfr_offcpu_agg_val {
	__u64 count;
	__u64 total_ns;
};

/* Indexes of the per-CPU counters (summed by libkfr). */
enum kfr_offcpu_counter {
	KFR_CNT_EVENTS = 0,          /* records sent through the ring buffer */
	KFR_CNT_AGGREGATED,          /* intervals added to the aggregation map */
	KFR_CNT_RINGBUF_FULL,        /* ring buffer full: interval went to the aggregation map instead */
	KFR_CNT_AGG_FULL,            /* aggregation map full: interval lost */
	KFR_CNT_AGG_FULL_NS,         /* off-CPU ns of those lost intervals */
	KFR_CNT_KSTACK_ERR,          /* bpf_get_stackid failed for the kernel stack */
	KFR_CNT_USTACK_ERR,          /* bpf_get_stackid failed for the user stack */
	KFR_CNT_STACK_CACHE_HIT,     /* stack ids reused from the thread's cache (no walk) */
	KFR_CNT_STACK_WALK,          /* stacks walked */
	KFR_CNT_STORAGE_ERR,         /* task storage could not be created */
	KFR_CNT__MAX
};

/* Layout of the long[] filled by kfr_offcpu_stats / KfrNative.offcpuStats:
 * [0 .. KFR_CNT__MAX-1] the counters above, then
 * [KFR_STAT_PROG_RUN_CNT] BPF run count of all kfr programs, [KFR_STAT_PROG_RUN_NS] their run time. */
#define KFR_STAT_PROG_RUN_CNT  (KFR_CNT__MAX)
#define KFR_STAT_PROG_RUN_NS   (KFR_CNT__MAX + 1)
#define KFR_STAT__LEN          (KFR_CNT__MAX + 2)

#endif
