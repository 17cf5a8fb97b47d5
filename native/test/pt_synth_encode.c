/* See pt_synth_encode.h. Packets are written with libipt's encoder (pt_enc_next). */
#include "pt_synth_encode.h"

#include <intel-pt.h>
#include <stdio.h>
#include <string.h>

struct enc {
	struct pt_encoder *e;
	uint8_t tnt;   /* pending TNT bits, the first branch in the highest used bit */
	int ntnt;
	int failed;
};

static void put(struct enc *s, struct pt_packet *p)
{
	if (!s->failed && pt_enc_next(s->e, p) < 0)
		s->failed = 1;
}

static void put_simple(struct enc *s, enum pt_packet_type type)
{
	struct pt_packet p;

	memset(&p, 0, sizeof(p));
	p.type = type;
	put(s, &p);
}

static void put_ip(struct enc *s, enum pt_packet_type type, uint64_t ip, enum pt_ip_compression ipc)
{
	struct pt_packet p;

	memset(&p, 0, sizeof(p));
	p.type = type;
	p.payload.ip.ipc = ipc;
	p.payload.ip.ip = ip;
	put(s, &p);
}

static void flush_tnt(struct enc *s)
{
	if (!s->ntnt)
		return;
	struct pt_packet p;

	memset(&p, 0, sizeof(p));
	p.type = ppt_tnt_8;
	p.payload.tnt.bit_size = (uint8_t)s->ntnt;
	p.payload.tnt.payload = s->tnt;
	put(s, &p);
	s->ntnt = 0;
	s->tnt = 0;
}

static void add_tnt(struct enc *s, int taken)
{
	s->tnt = (uint8_t)((s->tnt << 1) | (taken ? 1 : 0));
	if (++s->ntnt == 6) /* TNT-8 holds up to 6 bits */
		flush_tnt(s);
}

/* PSB+: PSB, TSC, MODE.exec (64-bit), FUP with the next ip when tracing is on, PSBEND. */
static void psb_plus(struct enc *s, uint64_t tsc, uint64_t fup)
{
	struct pt_packet p;

	put_simple(s, ppt_psb);
	memset(&p, 0, sizeof(p));
	p.type = ppt_tsc;
	p.payload.tsc.tsc = tsc;
	put(s, &p);
	memset(&p, 0, sizeof(p));
	p.type = ppt_mode;
	p.payload.mode.leaf = pt_mol_exec;
	p.payload.mode.bits.exec.csl = 1;
	put(s, &p);
	if (fup)
		put_ip(s, ppt_fup, fup, pt_ipc_sext_48);
	put_simple(s, ppt_psbend);
}

long pt_synth_encode(const struct pt_synth_step *steps, size_t n, pt_synth_read_fn read, void *ctx,
		     uint8_t *buf, size_t cap, size_t psb_period, uint8_t *kinds, char *err, size_t errlen)
{
	struct pt_config config;

	pt_config_init(&config);
	config.begin = buf;
	config.end = buf + cap;
	struct enc s = {.e = pt_alloc_encoder(&config)};

	if (!s.e || n == 0) {
		snprintf(err, errlen, "no encoder or no steps");
		return -1;
	}
	uint64_t last_psb = 0, offset = 0;

	psb_plus(&s, steps[0].tsc, 0);
	put_ip(&s, ppt_tip_pge, steps[0].ip, pt_ipc_sext_48);
	for (size_t i = 0; i < n && !s.failed; i++) {
		uint64_t ip = steps[i].ip, next = steps[i + 1].ip;
		uint8_t code[16];
		size_t got = read(ctx, ip, code, sizeof(code));
		struct pt_synth_insn insn;

		/* after a plain instruction, as PSBs fall anywhere in real traces (not only after packets) */
		if (pt_enc_get_offset(s.e, &offset) == 0 && offset - last_psb >= psb_period && i > 0 && kinds[i - 1] == 0) {
			flush_tnt(&s);
			psb_plus(&s, steps[i].tsc, ip);
			last_psb = offset;
		}
		pt_synth_classify(code, got, ip, &insn);
		switch (insn.kind) {
		case PS_COND:
			if (next != ip + insn.length && next != insn.target) {
				snprintf(err, errlen, "step %zu: conditional at %lx went to %lx", i, (unsigned long)ip,
					 (unsigned long)next);
				goto fail;
			}
			add_tnt(&s, next != ip + insn.length);
			kinds[i] = next != ip + insn.length ? 2 : 1;
			break;
		case PS_JUMP_DIRECT:
		case PS_CALL_DIRECT:
			if (next != insn.target) {
				snprintf(err, errlen, "step %zu: direct branch at %lx went to %lx, not %lx", i,
					 (unsigned long)ip, (unsigned long)next, (unsigned long)insn.target);
				goto fail;
			}
			kinds[i] = insn.kind == PS_JUMP_DIRECT ? 3 : 4;
			break;
		case PS_JUMP_INDIRECT:
		case PS_CALL_INDIRECT:
		case PS_RETURN:
			flush_tnt(&s);
			put_ip(&s, ppt_tip, next, pt_ipc_sext_48);
			kinds[i] = insn.kind == PS_JUMP_INDIRECT ? 5 : insn.kind == PS_CALL_INDIRECT ? 6 : 7;
			break;
		case PS_SYSCALL:
			/* tracing user space only: off into the kernel, on again at the return address */
			if (next != ip + insn.length) {
				snprintf(err, errlen, "step %zu: syscall at %lx returned to %lx", i, (unsigned long)ip,
					 (unsigned long)next);
				goto fail;
			}
			flush_tnt(&s);
			put_ip(&s, ppt_tip_pgd, 0, pt_ipc_suppressed);
			put_ip(&s, ppt_tip_pge, next, pt_ipc_sext_48);
			kinds[i] = 8;
			break;
		case PS_OTHER:
		case PS_REP_STRING:
			if (next <= ip || next - ip > 15) {
				snprintf(err, errlen, "step %zu: %lx -> %lx is no fallthrough (a branch not classified: %02x %02x %02x)",
					 i, (unsigned long)ip, (unsigned long)next, code[0], code[1], code[2]);
				goto fail;
			}
			kinds[i] = 0;
			break;
		default:
			snprintf(err, errlen, "step %zu: unsupported instruction at %lx (%02x %02x)", i, (unsigned long)ip,
				 code[0], code[1]);
			goto fail;
		}
	}
	flush_tnt(&s);
	put_ip(&s, ppt_fup, steps[n].ip, pt_ipc_sext_48);
	put_ip(&s, ppt_tip_pgd, 0, pt_ipc_suppressed);
	if (s.failed) {
		snprintf(err, errlen, "encoder failed (buffer of %zu bytes full?)", cap);
		goto fail;
	}
	pt_enc_get_offset(s.e, &offset);
	pt_free_encoder(s.e);
	return (long)offset;
fail:
	pt_free_encoder(s.e);
	return -1;
}
