/* See pt_decode.h. */
#define _GNU_SOURCE
#include "pt/pt_decode.h"

#include <intel-pt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct decode_state {
	struct pt_insn_decoder *dec;
	const struct kfr_pt_cpu *cpu;
	struct kfr_pt_decode_out *out;
	struct kfr_pt_segment cur;
	int open;          /* cur holds at least one instruction */
	int patch_target;  /* the last pushed segment waits for the next ip as its target */
	int cond_pending;  /* the last instruction was a conditional branch falling through to cond_fall */
	uint64_t cond_fall;
	int oom;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* perf's conversion (perf_event_mmap_page): split so that tsc * mult cannot overflow. */
static int64_t segment_time(const struct decode_state *st)
{
	uint64_t tsc = 0;
	uint32_t lost_mtc = 0, lost_cyc = 0;

	if (!st->cpu->has_time || pt_insn_time(st->dec, &tsc, &lost_mtc, &lost_cyc) < 0 || tsc == 0)
		return -1;
	uint32_t shift = st->cpu->time_shift & 63;
	uint64_t quot = tsc >> shift, rem = tsc & ((1ULL << shift) - 1);

	return (int64_t)(st->cpu->time_zero + quot * st->cpu->time_mult + ((rem * st->cpu->time_mult) >> shift));
}

static void push(struct decode_state *st, uint64_t end, uint64_t target, int wait_for_target)
{
	struct kfr_pt_decode_out *out = st->out;

	st->cur.end = end;
	st->cur.target = target;
	st->cur.time_ns = segment_time(st);
	st->open = 0;
	st->cond_pending = 0;
	st->patch_target = 0;
	if (out->nsegments == out->capsegments) {
		size_t cap = out->capsegments ? out->capsegments * 2 : 256;
		struct kfr_pt_segment *s = realloc(out->segments, cap * sizeof(*s));

		if (!s) {
			st->oom = 1;
			return;
		}
		out->segments = s;
		out->capsegments = cap;
	}
	out->segments[out->nsegments++] = st->cur;
	st->patch_target = wait_for_target;
}

/* Decoding cannot follow the thread past here: the open segment ends in a gap. */
static void close_gap(struct decode_state *st)
{
	if (st->open)
		push(st, KFR_PT_END_GAP, 0, 0);
	st->patch_target = 0;
	st->cond_pending = 0;
}

/*
 * Trace lost or unreadable in the middle (overflow, an error before a resync): the segments either
 * side must not read as one stretch of execution. With no segment open (the gap came right after a
 * branch) an empty END_GAP segment marks it.
 */
static void mark_gap(struct decode_state *st)
{
	if (!st->open && st->out->nsegments > 0) {
		memset(&st->cur, 0, sizeof(st->cur));
		st->open = 1;
	}
	close_gap(st);
}

static int is_syscall(const struct pt_insn *insn)
{
	/* syscall (0f 05) and sysenter (0f 34); libipt classes both as far calls */
	return insn->size == 2 && insn->raw[0] == 0x0f && (insn->raw[1] == 0x05 || insn->raw[1] == 0x34);
}

/* The ip execution went on to after the last instruction: the last branch's target, and whether
 * the last conditional was taken. */
static void resolve_next(struct decode_state *st, uint64_t ip)
{
	if (st->patch_target) {
		st->out->segments[st->out->nsegments - 1].target = ip;
		st->patch_target = 0;
	}
	if (st->cond_pending && ip != st->cond_fall)
		st->cur.taken++;
	st->cond_pending = 0;
}

static void on_insn(struct decode_state *st, const struct pt_insn *insn)
{
	struct kfr_pt_decode_out *out = st->out;

	if (out->ips && out->nips < out->ips_cap)
		out->ips[out->nips++] = insn->ip;
	out->instructions++;
	resolve_next(st, insn->ip);
	if (!st->open) {
		memset(&st->cur, 0, sizeof(st->cur));
		st->cur.first_ip = insn->ip;
		st->open = 1;
	}
	st->cur.last_ip = insn->ip;
	st->cur.instructions++;
	switch (insn->iclass) {
	case ptic_cond_jump:
		st->cur.conditionals++;
		st->cond_pending = 1;
		st->cond_fall = insn->ip + insn->size;
		break;
	case ptic_call:
		push(st, KFR_PT_END_CALL, 0, 1);
		break;
	case ptic_far_call:
		push(st, is_syscall(insn) ? KFR_PT_END_SYSCALL : KFR_PT_END_CALL, 0, 1);
		break;
	case ptic_return:
	case ptic_far_return:
		push(st, KFR_PT_END_RETURN, 0, 1);
		break;
	case ptic_jump:
	case ptic_far_jump:
		push(st, KFR_PT_END_JUMP, 0, 1);
		break;
	default:
		break;
	}
}

/* The image's clock while decoding: the trace's time at the instruction being read (TSC). */
static int trace_tsc(void *ctx, uint64_t *tsc)
{
	uint32_t lost_mtc = 0, lost_cyc = 0;

	return pt_insn_time(ctx, tsc, &lost_mtc, &lost_cyc) < 0 ? -1 : 0;
}

static enum kfr_pt_stop stop_of(int status)
{
	switch (pt_errcode(status)) {
	case pte_nomap:
		return KFR_PT_STOP_NOMAP;
	case pte_bad_insn:
		return KFR_PT_STOP_BAD_INSN;
	case pte_bad_opc:
	case pte_bad_packet:
		return KFR_PT_STOP_BAD_PACKET;
	case pte_nosync:
		return KFR_PT_STOP_NOSYNC;
	case pte_overflow:
		return KFR_PT_STOP_OVERFLOW;
	case pte_eos:
		return KFR_PT_STOP_TRUNCATED_PACKET;
	case pte_bad_query:
	case pte_bad_retcomp:
	case pte_event_ignored:
	case pte_retstack_empty:
	case pte_noip:
	case pte_ip_suppressed:
	case pte_bad_context:
	case pte_bad_status_update:
	case pte_no_enable:
		return KFR_PT_STOP_MISMATCH;
	default:
		return KFR_PT_STOP_OTHER;
	}
}

static int drain_events(struct decode_state *st, int status)
{
	while (status >= 0 && (status & pts_event_pending)) {
		struct pt_event ev;

		status = pt_insn_event(st->dec, &ev, sizeof(ev));
		if (status < 0)
			break;
		switch (ev.type) {
		case ptev_overflow:
			st->out->stops[KFR_PT_STOP_OVERFLOW]++;
			mark_gap(st);
			break;
		case ptev_async_disabled:
			/* tracing went off where the last instruction went */
			resolve_next(st, ev.variant.async_disabled.at);
			close_gap(st);
			break;
		case ptev_disabled:
			close_gap(st);
			break;
		case ptev_async_branch:
			/* interrupted where the last instruction went */
			resolve_next(st, ev.variant.async_branch.from);
			if (st->open)
				push(st, KFR_PT_END_INTERRUPT, ev.variant.async_branch.to, 0);
			break;
		default:
			break;
		}
	}
	return status;
}

/*
 * libipt reports a trace that ends inside a packet as the trace's end (-pte_eos), like one that
 * ends between packets. Walking the packets from the last synchronization point tells them apart:
 * only a cut packet leaves bytes that do not form a packet.
 */
static int ends_mid_packet(const uint8_t *trace, size_t len, uint64_t from)
{
	struct pt_config config;

	pt_config_init(&config);
	config.begin = (uint8_t *)trace;
	config.end = (uint8_t *)trace + len;
	struct pt_packet_decoder *pkt = pt_pkt_alloc_decoder(&config);

	if (!pkt)
		return 0;
	int cut = 0;

	if (pt_pkt_sync_set(pkt, from) >= 0) {
		struct pt_packet packet;
		int status;

		while ((status = pt_pkt_next(pkt, &packet, sizeof(packet))) > 0)
			;
		uint64_t offset = 0;

		cut = status == -pte_eos && pt_pkt_get_offset(pkt, &offset) >= 0 && offset < len;
	}
	pt_pkt_free_decoder(pkt);
	return cut;
}

int kfr_pt_decode(struct kfr_pt_image *img, const uint8_t *trace, size_t len, const struct kfr_pt_cpu *cpu,
		  uint64_t max_instructions, uint64_t max_ms, struct kfr_pt_decode_out *out)
{
	uint64_t start = now_ns();
	uint64_t deadline = start + max_ms * 1000000ULL;
	struct pt_config config;

	out->trace_bytes = len;
	pt_config_init(&config);
	config.begin = (uint8_t *)trace;
	config.end = (uint8_t *)trace + len;
	if (cpu->intel) {
		config.cpu.vendor = pcv_intel;
		config.cpu.family = (uint16_t)cpu->family;
		config.cpu.model = (uint8_t)cpu->model;
		config.cpu.stepping = (uint8_t)cpu->stepping;
		if (pt_cpu_errata(&config.errata, &config.cpu) < 0)
			memset(&config.errata, 0, sizeof(config.errata)); /* a CPU libipt does not know: no errata */
	}
	config.mtc_freq = (uint8_t)cpu->mtc_freq;
	config.nom_freq = (uint8_t)cpu->nom_freq;
	config.cpuid_0x15_eax = cpu->cpuid15_eax;
	config.cpuid_0x15_ebx = cpu->cpuid15_ebx;

	struct pt_insn_decoder *dec = len ? pt_insn_alloc_decoder(&config) : NULL;

	if (!dec) {
		out->stops[KFR_PT_STOP_NOSYNC]++;
		out->wall_ns = now_ns() - start;
		return 0;
	}
	pt_insn_set_image(dec, img->image);
	img->trace_time = trace_tsc;
	img->trace_time_ctx = dec;
	img->refused = 0;
	struct decode_state st = {.dec = dec, .cpu = cpu, .out = out};
	int synced = 0;

	for (;;) {
		int status = pt_insn_sync_forward(dec);

		if (status < 0) {
			if (!synced || status != -pte_eos)
				out->stops[status == -pte_eos ? KFR_PT_STOP_NOSYNC : stop_of(status)]++;
			break;
		}
		img->refused = 0;
		synced = 1;
		for (;;) {
			status = drain_events(&st, status);
			if (status < 0 || st.oom)
				break;
			if (out->instructions >= max_instructions ||
			    ((out->instructions & 1023) == 0 && now_ns() >= deadline)) {
				out->truncated = 1;
				out->stops[KFR_PT_STOP_BUDGET]++;
				close_gap(&st);
				goto done;
			}
			struct pt_insn insn;

			img->refused = 0;
			status = pt_insn_next(dec, &insn, sizeof(insn));
			if (status < 0)
				break;
			on_insn(&st, &insn);
		}
		if (st.oom)
			break;
		if (status == -pte_eos) {
			close_gap(&st);
			uint64_t sync = 0;

			if (pt_insn_get_sync_offset(dec, &sync) >= 0 && ends_mid_packet(trace, len, sync))
				out->stops[KFR_PT_STOP_TRUNCATED_PACKET]++;
			break;
		}
		mark_gap(&st);
		/* then on from the next PSB */
		out->stops[img->refused && pt_errcode(status) == pte_nomap ? KFR_PT_STOP_CODE_CHANGED : stop_of(status)]++;
	}
done:
	img->trace_time = NULL;
	img->trace_time_ctx = NULL;
	pt_insn_free_decoder(dec);
	out->wall_ns = now_ns() - start;
	return st.oom ? -1 : 0;
}
