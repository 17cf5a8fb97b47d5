/* Decoding one thread's Intel PT trace into segments with libipt's instruction flow decoder. */
#ifndef KFR_PT_DECODE_H
#define KFR_PT_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "pt/pt_image.h"

/* Why decoding stopped or skipped ahead; the order of PtStops.NAMES in Java. */
enum kfr_pt_stop {
	KFR_PT_STOP_OVERFLOW,
	KFR_PT_STOP_TRUNCATED_PACKET,
	KFR_PT_STOP_NOMAP,
	KFR_PT_STOP_BAD_INSN,
	KFR_PT_STOP_BAD_PACKET,
	KFR_PT_STOP_NOSYNC,
	KFR_PT_STOP_MISMATCH,
	KFR_PT_STOP_OTHER,
	KFR_PT_STOP_CODE_CHANGED,
	KFR_PT_STOP_BUDGET,
	KFR_PT_STOPS
};

/* PtSegment.END_* */
enum kfr_pt_end {
	KFR_PT_END_CALL = 1,
	KFR_PT_END_RETURN,
	KFR_PT_END_JUMP,
	KFR_PT_END_INTERRUPT,
	KFR_PT_END_GAP,
	KFR_PT_END_SYSCALL,
};

struct kfr_pt_segment {
	uint64_t first_ip, last_ip;
	uint64_t instructions, conditionals, taken;
	uint64_t end;
	uint64_t target;
	int64_t time_ns;
};

/* PtCpu.packed() */
struct kfr_pt_cpu {
	int intel, family, model, stepping;
	uint32_t mtc_freq, nom_freq, cpuid15_eax, cpuid15_ebx;
	int has_time;
	uint32_t time_shift, time_mult;
	uint64_t time_zero;
};

struct kfr_pt_decode_out {
	struct kfr_pt_segment *segments; /* malloc'd; the caller frees */
	size_t nsegments, capsegments;
	uint64_t instructions;
	int truncated;
	uint64_t trace_bytes;
	uint64_t wall_ns;
	uint32_t stops[KFR_PT_STOPS];
	uint64_t *ips; /* optional: every decoded ip, up to ips_cap */
	size_t ips_cap, nips;
};

/* Decodes [trace, trace+len) over `img`. Never fails on bad trace bytes (every stop is counted);
 * returns -1 only when out of memory. */
int kfr_pt_decode(struct kfr_pt_image *img, const uint8_t *trace, size_t len, const struct kfr_pt_cpu *cpu,
		  uint64_t max_instructions, uint64_t max_ms, struct kfr_pt_decode_out *out);

#endif
