/* CPU sampler records shared by cpu.bpf.c, libkfr.so and the Java decoder
 * (io.kfr.collectors.cpu.CpuSampleLayout; KfrNative.layout checks the offsets agree).
 * Little-endian, fixed layout. */
#ifndef KFR_CPU_RECORDS_H
#define KFR_CPU_RECORDS_H

/* One sample of a thread of the target process; ring buffer record, 40 bytes. */
struct kfr_cpu_sample {
	__u32 tid;
	__u32 cpu;
	__u64 time_ns;      /* CLOCK_MONOTONIC */
	__u64 period;       /* the event's sample period (ns for cpu-clock, events for cycles) */
	__s32 kstack_id;    /* < 0 when unavailable (e.g. sampled in user mode) */
	__s32 ustack_id;
	__u64 java_ref;     /* as kfr_offcpu_event.java_ref */
};

enum kfr_cpu_counter {
	KFR_CPU_CNT_SAMPLES = 0,     /* samples of target threads sent */
	KFR_CPU_CNT_LOST,            /* samples the ring buffer had no room for */
	KFR_CPU_CNT_OTHER,           /* samples of other processes (or idle), ignored */
	KFR_CPU_CNT_KSTACK_ERR,      /* kernel stack not taken for a sample in kernel mode */
	KFR_CPU_CNT_USTACK_ERR,      /* user stack walk failed */
	KFR_CPU_CNT_JAVA_WALK,       /* Java stacks walked */
	KFR_CPU_CNT_JAVA_WALK_NS,
	KFR_CPU_CNT_JAVA_FRAMES,
	KFR_CPU_CNT_JAVA_FROM_REGS,  /* walks started from registers (running Java code) */
	KFR_CPU_CNT_JAVA_NO_ANCHOR,  /* Java thread, but neither an anchor nor a Java pc */
	KFR_CPU_CNT_JAVA_BROKEN,
	KFR_CPU_CNT_JAVA_SENT,
	KFR_CPU_CNT_JAVA_LOST,
	KFR_CPU_CNT_STACK_COLLISION, /* of the stack errors: the map's bucket held another stack (EEXIST) */
	KFR_CPU_CNT_USTACK_SKIPPED,  /* samples in Java code: native stack not walked (the Java walk has it) */
	KFR_CPU_CNT__MAX
};
/* kfr_cpu_stats: the counters, then run count, run time, recursion misses of the program */
#define KFR_CPU_STAT__LEN (KFR_CPU_CNT__MAX + 3)

#endif
