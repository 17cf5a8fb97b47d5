/* The Java stack record layout, for the Java decoder's check (common/record_layout.h). */
#include <linux/types.h>

#include "common/record_layout.h"
#include "hotspot/java_stack_records.h"

const struct kfr_layout_entry kfr_java_stack_layout[] = {
	KFR_LAYOUT_SIZE(kfr_java_stack),
	KFR_LAYOUT_FIELD(kfr_java_stack, id),
	KFR_LAYOUT_FIELD(kfr_java_stack, tid),
	KFR_LAYOUT_FIELD(kfr_java_stack, n),
	KFR_LAYOUT_FIELD(kfr_java_stack, flags),
	KFR_LAYOUT_FIELD(kfr_java_stack, f),
	KFR_LAYOUT_SIZE(kfr_java_frame),
	KFR_LAYOUT_FIELD(kfr_java_frame, ref),
	KFR_LAYOUT_FIELD(kfr_java_frame, value),
	KFR_LAYOUT_FIELD(kfr_java_frame, cookie),
	KFR_LAYOUT_CONST(KFR_JAVA_STACK_HDR),
	KFR_LAYOUT_CONST(KFR_JAVA_MAX_FRAMES),
	KFR_LAYOUT_CONST(KFR_JAVA_NONE),
	KFR_LAYOUT_CONST(KFR_JAVA_NO_ANCHOR),
	KFR_LAYOUT_CONST(KFR_JAVA_LOST),
	KFR_LAYOUT_CONST(KFR_JAVA_UNVERIFIED),
	KFR_LAYOUT_CONST(KFR_JF_SHIFT),
	KFR_LAYOUT_CONST(KFR_JF_INTERPRETED),
	KFR_LAYOUT_CONST(KFR_JF_COMPILED),
	KFR_LAYOUT_CONST(KFR_JF_STUB),
	KFR_LAYOUT_CONST(KFR_JF_TRUNCATED),
	KFR_LAYOUT_CONST(KFR_JF_BROKEN),
	KFR_LAYOUT_CONST(KFR_JF_COMPILED_PC),
	{ NULL, 0 },
};
