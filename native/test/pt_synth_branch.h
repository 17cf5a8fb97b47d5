/* The branch class of an x86-64 instruction, from its opcode: all a PT trace depends on. */
#ifndef PT_SYNTH_BRANCH_H
#define PT_SYNTH_BRANCH_H

#include <stddef.h>
#include <stdint.h>

enum pt_synth_kind {
	PS_OTHER,         /* not a branch: PT writes nothing for it */
	PS_COND,          /* jcc, loop, jrcxz: one TNT bit */
	PS_JUMP_DIRECT,   /* no packet: the target is in the code */
	PS_CALL_DIRECT,
	PS_JUMP_INDIRECT, /* TIP with the target */
	PS_CALL_INDIRECT,
	PS_RETURN,        /* TIP (return compression is not used) */
	PS_REP_STRING,    /* rep movs/stos...: single-stepping stops once per iteration, PT sees one */
	PS_SYSCALL,       /* user-only tracing: TIP.PGD (ip suppressed), TIP.PGE at the return */
	PS_UNSUPPORTED,   /* far branches, syscalls, interrupts: not in the traced code */
};

struct pt_synth_insn {
	enum pt_synth_kind kind;
	uint8_t length;  /* for branches only (0 when not known: PS_OTHER needs none) */
	uint64_t target; /* direct branches */
};

/*
 * True for pushf: stepped by ptrace it pushes the trap flag the tracer set, and the popf that
 * restores it later traps after the tracer has gone (a SIGTRAP that kills a JVM). Recording stops
 * before one (HotSpot's safepoint and deoptimization blobs save the flags).
 */
int pt_synth_is_pushf(const uint8_t *b, size_t n);

/* Classifies the instruction whose bytes start at `b` (n readable) and that lives at `ip`. */
void pt_synth_classify(const uint8_t *b, size_t n, uint64_t ip, struct pt_synth_insn *out);

#endif
