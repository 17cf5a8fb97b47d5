/* The CPU sampler's record layout, for the Java decoder's check (common/record_layout.h). */
#include <linux/types.h>

#include "common/record_layout.h"
#include "cpu/cpu_records.h"

const struct kfr_layout_entry kfr_cpu_layout[] = {
	KFR_LAYOUT_SIZE(kfr_cpu_sample),
	KFR_LAYOUT_FIELD(kfr_cpu_sample, tid),
	KFR_LAYOUT_FIELD(kfr_cpu_sample, cpu),
	KFR_LAYOUT_FIELD(kfr_cpu_sample, time_ns),
	KFR_LAYOUT_FIELD(kfr_cpu_sample, period),
	KFR_LAYOUT_FIELD(kfr_cpu_sample, kstack_id),
	KFR_LAYOUT_FIELD(kfr_cpu_sample, ustack_id),
	KFR_LAYOUT_FIELD(kfr_cpu_sample, java_ref),
	KFR_LAYOUT_CONST(KFR_CPU_CNT_SAMPLES),
	KFR_LAYOUT_CONST(KFR_CPU_CNT_LOST),
	KFR_LAYOUT_CONST(KFR_CPU_CNT_OTHER),
	KFR_LAYOUT_CONST(KFR_CPU_CNT_KSTACK_ERR),
	KFR_LAYOUT_CONST(KFR_CPU_CNT_USTACK_ERR),
	KFR_LAYOUT_CONST(KFR_CPU_CNT_JAVA_WALK),
	KFR_LAYOUT_CONST(KFR_CPU_CNT_JAVA_WALK_NS),
	KFR_LAYOUT_CONST(KFR_CPU_CNT_JAVA_FRAMES),
	KFR_LAYOUT_CONST(KFR_CPU_CNT_JAVA_FROM_REGS),
	KFR_LAYOUT_CONST(KFR_CPU_CNT_JAVA_NO_ANCHOR),
	KFR_LAYOUT_CONST(KFR_CPU_CNT_JAVA_BROKEN),
	KFR_LAYOUT_CONST(KFR_CPU_CNT_JAVA_SENT),
	KFR_LAYOUT_CONST(KFR_CPU_CNT_JAVA_LOST),
	KFR_LAYOUT_CONST(KFR_CPU_CNT_STACK_COLLISION),
	KFR_LAYOUT_CONST(KFR_CPU_CNT__MAX),
	KFR_LAYOUT_CONST(KFR_CPU_STAT__LEN),
	{ NULL, 0 },
};
