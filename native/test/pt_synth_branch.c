/*
 * Branch classes from opcodes. Why not a full length decoder (Zydis, LLVM's disassembler): a PT
 * trace has packets for branches only, and a branch's class, length and target follow from its
 * opcode (one of ~15 encodings, after the legacy and REX prefixes); every other instruction needs
 * neither, because the decoder walks over it with libipt's own length decoder and the proof
 * compares every ip it reaches with the single-stepped ones. A wrong class here cannot pass
 * unseen: it gives packets the decoder disagrees with, or an ip sequence that differs. The
 * synthesizer also checks each step against the class (a conditional goes to its fallthrough or
 * its target, a direct branch to its target, anything else less than 16 bytes forward).
 */
#include "pt_synth_branch.h"

#include <string.h>

static int is_legacy_prefix(uint8_t b)
{
	return b == 0xf0 || b == 0xf2 || b == 0xf3 || b == 0x2e || b == 0x36 || b == 0x3e || b == 0x26 ||
	       b == 0x64 || b == 0x65 || b == 0x66 || b == 0x67;
}

static int32_t rel32(const uint8_t *p)
{
	int32_t v;

	memcpy(&v, p, 4);
	return v;
}

void pt_synth_classify(const uint8_t *b, size_t n, uint64_t ip, struct pt_synth_insn *out)
{
	size_t p = 0;
	int rep = 0;

	memset(out, 0, sizeof(*out));
	while (p < n && p < 14 && is_legacy_prefix(b[p])) {
		rep |= b[p] == 0xf3 || b[p] == 0xf2;
		p++;
	}
	if (p < n && (b[p] & 0xf0) == 0x40) /* REX */
		p++;
	if (p + 6 > n)
		return; /* too short for what follows: left as PS_OTHER, the step check catches it */
	uint8_t op = b[p];

	if (op >= 0x70 && op <= 0x7f) {
		out->kind = PS_COND;
		out->length = (uint8_t)(p + 2);
		out->target = ip + out->length + (int8_t)b[p + 1];
	} else if (op >= 0xe0 && op <= 0xe3) { /* loopne, loope, loop, jrcxz */
		out->kind = PS_COND;
		out->length = (uint8_t)(p + 2);
		out->target = ip + out->length + (int8_t)b[p + 1];
	} else if (op == 0x0f && b[p + 1] >= 0x80 && b[p + 1] <= 0x8f) {
		out->kind = PS_COND;
		out->length = (uint8_t)(p + 6);
		out->target = ip + out->length + rel32(b + p + 2);
	} else if (op == 0xeb) {
		out->kind = PS_JUMP_DIRECT;
		out->length = (uint8_t)(p + 2);
		out->target = ip + out->length + (int8_t)b[p + 1];
	} else if (op == 0xe9 || op == 0xe8) {
		out->kind = op == 0xe9 ? PS_JUMP_DIRECT : PS_CALL_DIRECT;
		out->length = (uint8_t)(p + 5);
		out->target = ip + out->length + rel32(b + p + 1);
	} else if (op == 0xc3 || op == 0xc2) {
		out->kind = PS_RETURN;
	} else if (op == 0xff) {
		int reg = (b[p + 1] >> 3) & 7;

		if (reg == 2)
			out->kind = PS_CALL_INDIRECT;
		else if (reg == 4)
			out->kind = PS_JUMP_INDIRECT;
		else if (reg == 3 || reg == 5)
			out->kind = PS_UNSUPPORTED;
	} else if (op == 0x0f && b[p + 1] == 0x05) {
		out->kind = PS_SYSCALL;
		out->length = (uint8_t)(p + 2);
	} else if (op == 0xca || op == 0xcb || op == 0xcc || op == 0xcd || op == 0xcf ||
		   (op == 0x0f && (b[p + 1] == 0x07 || b[p + 1] == 0x34 || b[p + 1] == 0x35 || b[p + 1] == 0x0b))) {
		out->kind = PS_UNSUPPORTED;
	} else if (rep && (op == 0xa4 || op == 0xa5 || op == 0xa6 || op == 0xa7 || (op >= 0xaa && op <= 0xaf))) {
		out->kind = PS_REP_STRING;
	}
}

int pt_synth_is_pushf(const uint8_t *b, size_t n)
{
	size_t p = 0;

	while (p < n && p < 14 && (is_legacy_prefix(b[p]) || (b[p] & 0xf0) == 0x40))
		p++;
	return p < n && b[p] == 0x9c;
}
