/* Sizes, offsets and constants of a collector's records as this library was compiled with them,
 * by C name: the Java decoders' layouts are checked against them (KfrNative.recordLayout). */
#ifndef KFR_RECORD_LAYOUT_H
#define KFR_RECORD_LAYOUT_H

#include <stddef.h>

struct kfr_layout_entry {
	const char *name; /* "kfr_cpu_sample.tid", "sizeof kfr_cpu_sample", "KFR_CPU_CNT__MAX"; NULL ends a table */
	long value;
};

#define KFR_LAYOUT_SIZE(type) { "sizeof " #type, (long)sizeof(struct type) }
#define KFR_LAYOUT_FIELD(type, field) { #type "." #field, (long)offsetof(struct type, field) }
#define KFR_LAYOUT_CONST(c) { #c, (long)(c) }

/* One table per record header (each next to its header); record_layout_jni.c lists them. */
extern const struct kfr_layout_entry kfr_offcpu_layout[];
extern const struct kfr_layout_entry kfr_cpu_layout[];
extern const struct kfr_layout_entry kfr_java_stack_layout[];
extern const struct kfr_layout_entry kfr_workingset_layout[];

#endif
