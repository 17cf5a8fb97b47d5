/* Turns a single-stepped instruction sequence into the Intel PT packets the hardware would write. */
#ifndef PT_SYNTH_ENCODE_H
#define PT_SYNTH_ENCODE_H

#include <stddef.h>
#include <stdint.h>

#include "pt_synth_branch.h"

/* Reads up to n bytes of the traced process's code at ip; returns the count read. */
typedef size_t (*pt_synth_read_fn)(void *ctx, uint64_t ip, uint8_t *buf, size_t n);

struct pt_synth_step {
	uint64_t ip;
	uint64_t tsc; /* the tracer's TSC when the step was recorded */
};

/*
 * Encodes steps[0..n-1] (steps[n].ip: where execution went next) into buf: PSB+ (TSC, MODE.exec
 * 64-bit) and TIP.PGE at the start, TNT-8 for conditionals, TIP for indirect branches and for every
 * return (no return compression), TIP.PGD + TIP.PGE around a syscall (user-only tracing), PSB+ with FUP about every psb_period bytes, and FUP + TIP.PGD
 * (tracing turned off at the next ip) at the end. kinds[i] gets each step's class (for the
 * expected segments). Returns the bytes written, or -1 with a reason in err.
 */
long pt_synth_encode(const struct pt_synth_step *steps, size_t n, pt_synth_read_fn read, void *ctx,
		     uint8_t *buf, size_t cap, size_t psb_period, uint8_t *kinds, char *err, size_t errlen);

#endif
