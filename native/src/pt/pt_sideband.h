/*
 * The JVM's own sideband for PT decoding: when JIT code was compiled, freed and generated, from
 * JVMTI (CompiledMethodLoad, CompiledMethodUnload, DynamicCodeGenerated), with a TSC and a
 * CLOCK_MONOTONIC time per record, and the bytes of unloaded code copied before the code cache can
 * reuse them. It is what perf inject puts next to a perf.data for a JIT, kept in memory: the
 * decoder uses it to give a trace the code bytes of its own time (pt_image_timed.h).
 */
#ifndef KFR_PT_SIDEBAND_H
#define KFR_PT_SIDEBAND_H

#include <jni.h>
#include <stddef.h>
#include <stdint.h>

struct kfr_pt_image;

/* PtSidebandRecord.KIND_* */
enum kfr_pt_sb_kind {
	KFR_PT_SB_LOAD = 1,
	KFR_PT_SB_UNLOAD = 2,
	KFR_PT_SB_DYNAMIC = 3,
};

/* Records kept: the oldest is dropped (and counted) when a new one does not fit. */
#define KFR_PT_SB_MAX_RECORDS 65536
/* Bytes of unloaded code kept in all; an unload over it is recorded without its bytes, counted. */
#define KFR_PT_SB_UNLOAD_BUDGET (8ULL << 20)
/* A dynamic code name is cut to this (HotSpot's are short: "Interpreter", "StubRoutines (1)"). */
#define KFR_PT_SB_NAME_MAX 64

struct kfr_pt_sb_record {
	int kind;
	int before_start; /* reported by GenerateEvents at start: it existed then, since an unknown time */
	uint64_t address, size;
	uint64_t tsc;       /* rdtsc at the callback; 0 when before_start */
	uint64_t mono_ns;   /* CLOCK_MONOTONIC at the callback */
	uint64_t method;    /* jmethodID of a load or unload */
	uint64_t load_tsc;  /* unload: the tsc of its load (0: unknown, or before the start) */
	char *name;         /* dynamic code: its name (malloc'd, at most KFR_PT_SB_NAME_MAX - 1 chars) */
	uint8_t *bytes;     /* unload: a copy of the code as it was (malloc'd), or NULL */
};

/* PtSideband.STAT_* */
enum kfr_pt_sb_stat {
	KFR_PT_SB_RECORDS,       /* records appended since the start */
	KFR_PT_SB_DROPPED,       /* records dropped for room */
	KFR_PT_SB_UNLOAD_BYTES,  /* bytes of unloaded code copied */
	KFR_PT_SB_OVER_BUDGET,   /* unloads recorded without their bytes: not copied on this JDK, budget spent, size unknown */
	KFR_PT_SB_CALLBACK_NS,   /* time spent in the callbacks */
	KFR_PT_SB_LOADS,
	KFR_PT_SB_UNLOADS,
	KFR_PT_SB_DYNAMICS,
	KFR_PT_SB_KEPT,          /* records held now */
	KFR_PT_SB_STATS
};

/* Starts recording: its own jvmtiEnv, the events on, then the code that exists now reported
 * (GenerateEvents). copy_unloaded_code: copy an unload's bytes at its event (only where the JVM
 * keeps them until then: PtSideband). NULL, or one line saying why not (nothing is left enabled). */
const char *kfr_pt_sideband_start(JavaVM *vm, int copy_unloaded_code);
/* Stops recording and frees the records. */
void kfr_pt_sideband_stop(void);
int kfr_pt_sideband_running(void);
void kfr_pt_sideband_stats(uint64_t out[KFR_PT_SB_STATS]);

/* Calls fn for each record held, oldest first, under the log's lock (fn must not call back into
 * the sideband). Returns the records visited. */
size_t kfr_pt_sideband_each(void (*fn)(const struct kfr_pt_sb_record *, void *), void *ctx);

/* Adds the records' code versions and changes to img (pt_image_timed.h). Entries added, or -1. */
int kfr_pt_sideband_add_to_image(struct kfr_pt_image *img);

/* The method's "Lclass;\tname\tdescriptor", or NULL (unloaded, not running). Caller frees. */
char *kfr_pt_sideband_method_name(uint64_t method);

#endif
