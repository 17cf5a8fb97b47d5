/* HotSpot Java stack walker, run inside BPF programs while the walked thread is `current` (so
 * bpf_probe_read_user reads its stack and the JVM's memory). Included by offcpu.bpf.c; the CPU
 * sampler is meant to include it too (start from registers instead of the anchor).
 *
 * Starts at the thread's JavaFrameAnchor (set whenever a Java thread leaves Java code: native
 * methods, VM calls, blocking) and follows HotSpot's x86_64 frame layout:
 *   interpreted frame: Method* at fp-24, bcp at fp-64, sender sp at fp-8, saved fp at fp, return
 *                      pc at fp+8;
 *   compiled frame / stub (a CodeBlob, found through its code heap's segment map): fixed size
 *                      CodeBlob::_frame_size words, return pc and saved fp just below the sender's sp;
 *                      a pc at the deoptimization handler means the real pc was saved at
 *                      sp + nmethod::_orig_pc_offset;
 *   entry frame (return into the call stub): Java was called from VM/native code; continue at the
 *                      anchor saved in the JavaCallWrapper, or stop if it is empty (thread bottom).
 * Raw frames only (java_stack_records.h): user space names them. Every read is checked; a failed read
 * or check ends the stack with a KFR_JF_BROKEN frame, never a guess.
 *
 * Not walking the same stack twice: the caller keeps, per thread context, the stack id and a hash
 * of the stack slots the walk read for its top frames (java_verify()); if those slots still hold
 * the same values, the walk would produce the same top frames. */
#ifndef KFR_HOTSPOT_WALK_BPF_H
#define KFR_HOTSPOT_WALK_BPF_H

#include "hotspot/kfr_walk_cfg.h"

#define JW_SLOTS      256  /* stack slots verified on a cache hit (power of two) */
#define JW_SPAN_MAX   16384 /* bytes above the anchor's sp that verification reads (power of two) */
#define JW_BLOB_HDR   512  /* CodeBlob/nmethod header bytes read per blob (power of two: index masks) */
#define JW_BLOB_MIN   384  /* read when the full header is not readable (11: fields end at 328, 17: 308) */
#define JW_SEGMAP_HOPS 32  /* segment-map back links followed to a blob's start */

const volatile struct kfr_walk_cfg walk_cfg = {};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 32768);
	__type(key, __u32);
	__type(value, struct kfr_java_thread);
} java_threads SEC(".maps");

/* Ids already announced through java_stacks (LRU: a forgotten id is simply announced again). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, __u8);
} java_seen SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 21); /* set by libkfr */
} java_stacks SEC(".maps");

/* The stack slots a walk depended on, for java_verify(): word offsets from the anchor's sp. Every
 * frame's return pc and saved fp, and an interpreted frame's Method*, bcp and sender sp: equal
 * values there mean the same frames (the code at a return pc cannot change while a frame returns
 * to it; a frame marked for deoptimization gets its return pc patched). Frames beyond JW_SLOTS
 * slots or JW_SPAN_MAX bytes are trusted on a hit and re-walked every RECHECK_EVERY hits. */
struct jw_slots {
	__u64 hash;
	__u16 span;     /* bytes to read from the anchor's sp; 0: not verifiable, always walk */
	__u16 n;
	__u8 pad[4];
	__u16 off[JW_SLOTS];
};

/* Per-CPU walk state (too big for the BPF stack). */
struct jw_state {
	__u64 sp, pc, fp;
	__u64 anchor_sp, stack_hi;
	__u64 hash;
	__u32 n;
	__u32 done;
	__u32 slots_closed;     /* a slot outside the window was needed: stop recording */
	__u32 top_from_regs;    /* the first frame starts from registers: bcp is live in top_bcp */
	__u64 top_bcp;
	struct jw_slots slots;
	__u8 blob[JW_BLOB_HDR];
	__u8 window[JW_SPAN_MAX];
	struct kfr_java_stack rec;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct jw_state);
} jw_scratch SEC(".maps");

static __always_inline struct jw_state *jw_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&jw_scratch, &zero);
}

static __always_inline __u64 jw_mix(__u64 h, __u64 v)
{
	h ^= v;
	h *= 0x100000001b3ull; /* FNV-1a prime, word-wise */
	return h ^ (h >> 29);
}

/* Remembers that the walk's result depended on the word at addr. */
static __always_inline void jw_slot(struct jw_state *w, __u64 addr)
{
	__u64 off = (addr - w->anchor_sp) >> 3;
	__u32 n = w->slots.n;


	if (w->slots_closed)
		return;
	if (addr < w->anchor_sp || off * 8 + 8 > JW_SPAN_MAX || (addr & 7) || n >= JW_SLOTS) {
		w->slots_closed = 1; /* deeper frames are trusted on a hit (re-walked every RECHECK_EVERY) */
		return;
	}
	w->slots.off[n & (JW_SLOTS - 1)] = (__u16)off;
	w->slots.n = n + 1;
	if (off * 8 + 8 > w->slots.span)
		w->slots.span = (__u16)(off * 8 + 8);
}

static __always_inline int jw_emit(struct jw_state *w, __u64 ref, __u32 kind, __u32 x, __u32 cookie)
{
	__u32 n = w->n;

	if (n >= KFR_JAVA_MAX_FRAMES) {
		w->done = 1;
		return -1;
	}
	w->rec.f[n & (KFR_JAVA_MAX_FRAMES - 1)].ref = ref;
	w->rec.f[n & (KFR_JAVA_MAX_FRAMES - 1)].value = kind << KFR_JF_SHIFT | (x & KFR_JF_XMASK);
	w->rec.f[n & (KFR_JAVA_MAX_FRAMES - 1)].cookie = cookie;
	w->hash = jw_mix(jw_mix(w->hash, ref), (__u64)(kind << KFR_JF_SHIFT | (x & KFR_JF_XMASK)) << 32 | cookie);
	w->n = n + 1;
	return 0;
}

static __always_inline long jw_broken(struct jw_state *w, __u32 reason)
{
	jw_emit(w, w->pc, KFR_JF_BROKEN, reason, 0);
	w->done = 1;
	return 1;
}

/* CodeBlob containing pc (inside heap h's reserved range), through the segment map: each segment
 * byte is 0 at a block's first segment, else how far back to step. 0 if none. */
static __always_inline __u64 jw_find_blob(struct jw_state *w, __u64 pc)
{
	for (int h = 0; h < KFR_WALK_MAX_HEAPS; h++) {
		if (h >= walk_cfg.nheaps)
			break;
		if (pc < walk_cfg.heap_low[h] || pc >= walk_cfg.heap_high[h])
			continue;
		__u32 shift = walk_cfg.heap_log2[h] & 31;
		__u64 idx = (pc - walk_cfg.heap_low[h]) >> shift;
		for (int i = 0; i < JW_SEGMAP_HOPS; i++) {
			__u8 t;

			if (bpf_probe_read_user(&t, 1, (void *)(walk_cfg.heap_segmap[h] + idx)))
				return 0;
			if (t == 0xff) /* free segment */
				return 0;
			if (t == 0) {
				__u64 block = walk_cfg.heap_low[h] + (idx << shift);
				__u8 used = 0;

				if (bpf_probe_read_user(&used, 1, (void *)(block + walk_cfg.hb_used)) || !used)
					return 0;
				return block + walk_cfg.hb_size;
			}
			if (t > idx)
				return 0;
			idx -= t;
		}
		return 0;
	}
	return 0;
}

/* JDK 17 has no CodeBlob kind: nmethods are named "nmethod" or "native nmethod". */
static __always_inline bool jw_is_nmethod(struct jw_state *w)
{
	if (walk_cfg.gen25)
		return w->blob[walk_cfg.cb_kind & (JW_BLOB_HDR - 1)] == 1;
	__u64 name = *(__u64 *)(w->blob + (walk_cfg.cb_name & (JW_BLOB_HDR - 8) & ~7u));
	char s[16] = {};

	if (bpf_probe_read_user(s, sizeof(s), (void *)name))
		return false;
	return (s[0] == 'n' && s[1] == 'm' && s[2] == 'e' && s[3] == 't' && s[4] == 'h' && s[5] == 'o' &&
		s[6] == 'd' && s[7] == 0) ||
	       (s[0] == 'n' && s[1] == 'a' && s[2] == 't' && s[3] == 'i' && s[4] == 'v' && s[5] == 'e' &&
		s[6] == ' ' && s[7] == 'n' && s[8] == 'm' && s[13] == 'd' && s[14] == 0);
}

/* The blob's header; a small blob at the end of the committed code heap may not have 512
 * readable bytes, but every field the walker uses lies in the first JW_BLOB_MIN. */
static __always_inline int jw_read_blob(struct jw_state *w, __u64 cb)
{
	if (!bpf_probe_read_user(w->blob, JW_BLOB_HDR, (void *)cb))
		return 0;
	return bpf_probe_read_user(w->blob, JW_BLOB_MIN, (void *)cb) ? -1 : 0;
}

static __always_inline __u32 jw_u32(struct jw_state *w, __u32 off)
{
	return *(__u32 *)(w->blob + (off & (JW_BLOB_HDR - 4) & ~3u));
}

/* Frames at this pc find their caller through rbp. */
static __always_inline bool jw_uses_fp(__u64 pc)
{
	return (pc >= walk_cfg.interp_low && pc < walk_cfg.interp_high) || pc == walk_cfg.call_stub_return;
}

/* Moves to the caller's frame; sp must grow and stay inside the thread's stack. */
static __always_inline long jw_next(struct jw_state *w, __u64 sp, __u64 pc, __u64 fp)
{
	if (sp <= w->sp || sp >= w->stack_hi)
		return jw_broken(w, KFR_JB_SP_ORDER);
	w->sp = sp;
	w->pc = pc;
	w->fp = fp;
	return 0;
}

static __always_inline long jw_interpreted(struct jw_state *w)
{
	__u64 fp = w->fp, fr[10], cm = 0;

	/* fr[i] = word at fp + (i - 8) * 8: bcp -8, Method* -3, sender sp -1, saved fp 0, return pc +1 */
	if (fp < w->sp || fp + 16 > w->stack_hi || bpf_probe_read_user(fr, sizeof(fr), (void *)(fp - 64)))
		return jw_broken(w, KFR_JB_READ);
	if (bpf_probe_read_user(&cm, 8, (void *)(fr[5] + walk_cfg.m_const_method)))
		return jw_broken(w, KFR_JB_READ);
	__u64 code = cm + walk_cfg.cm_sizeof;
	/* the frame's bcp slot is written only at calls: a frame interrupted while running has the
	 * live bcp in r13 */
	__u64 bcp = w->n == 0 && w->top_from_regs ? w->top_bcp : fr[0];
	__u32 bci = bcp >= code && bcp - code < KFR_JF_XMASK ? (__u32)(bcp - code) : KFR_JF_XMASK;
	if (jw_emit(w, fr[5], KFR_JF_INTERPRETED, bci, (__u32)(cm >> 3)))
		return 1;
	jw_slot(w, fp - 64);
	jw_slot(w, fp - 24);
	jw_slot(w, fp - 8);
	jw_slot(w, fp);
	jw_slot(w, fp + 8);
	return jw_next(w, fr[7], fr[9], fr[8]);
}

/* Entry frame: Java called from the VM; the JavaCallWrapper keeps the caller's anchor. */
static __always_inline long jw_entry(struct jw_state *w)
{
	__u64 cw = 0, an[3];

	w->slots_closed = 1;
	if (bpf_probe_read_user(&cw, 8, (void *)(w->fp + (__s64)walk_cfg.entry_cw_words * 8)) ||
	    bpf_probe_read_user(an, sizeof(an), (void *)(cw + walk_cfg.jcw_anchor)))
		return jw_broken(w, KFR_JB_READ);
	if (!an[0]) { /* the thread's first Java call: nothing below */
		w->done = 1;
		return 1;
	}
	__u64 pc = an[1];
	if (!pc && bpf_probe_read_user(&pc, 8, (void *)(an[0] - 8)))
		return jw_broken(w, KFR_JB_READ);
	return jw_next(w, an[0], pc, an[2]);
}

/* The top frame of a walk from registers holds an interrupted pc, the others return addresses. */
static __always_inline __u32 jw_compiled_kind(struct jw_state *w)
{
	return w->n == 0 && w->top_from_regs ? KFR_JF_COMPILED_PC : KFR_JF_COMPILED;
}

/* The frame of blob cb (its header in w->blob), pc a return address into it (or the top frame's
 * interrupted pc, see jw_compiled_kind). */
static __always_inline long jw_blob_frame_at(struct jw_state *w, __u64 cb)
{
	__u64 pc = w->pc, sp = w->sp, caller[2];
	__s32 fs = (__s32)jw_u32(w, walk_cfg.cb_frame_size);
	if (jw_is_nmethod(w)) {
		__u32 cid = jw_u32(w, walk_cfg.nm_compile_id);
		__u64 deopt = walk_cfg.gen25 ? cb + (__s32)jw_u32(w, walk_cfg.nm_deopt_handler)
					     : *(__u64 *)(w->blob + (walk_cfg.nm_deopt_handler & (JW_BLOB_HDR - 8) & ~7u));
		if (pc == deopt) { /* frame marked for deoptimization: the real pc was saved in the frame */
			__s32 orig = (__s32)jw_u32(w, walk_cfg.nm_orig_pc_offset);
			if (bpf_probe_read_user(&pc, 8, (void *)(sp + orig)))
				return jw_broken(w, KFR_JB_READ);
			jw_slot(w, sp + orig);
		}
		if (pc < cb || pc - cb >= KFR_JF_XMASK)
			return jw_broken(w, KFR_JB_NO_BLOB);
		if (jw_emit(w, cb, jw_compiled_kind(w), (__u32)(pc - cb), cid))
			return 1;
	} else if (jw_emit(w, cb, KFR_JF_STUB, (__u32)(pc - cb), 0)) {
		return 1;
	}
	if (fs <= 0 || fs > (1 << 16))
		return jw_broken(w, KFR_JB_FRAME_SIZE);
	__u64 ssp = sp + (__u64)fs * 8;
	if (bpf_probe_read_user(caller, sizeof(caller), (void *)(ssp - 16)))
		return jw_broken(w, KFR_JB_READ);
	/* the saved rbp matters only to a caller that uses a frame pointer (interpreter, call stub);
	 * compiled code keeps data in rbp, which would fail the verification for nothing */
	if (jw_uses_fp(caller[1]))
		jw_slot(w, ssp - 16);
	jw_slot(w, ssp - 8);
	return jw_next(w, ssp, caller[1], caller[0]);
}

/* The CodeBlob holding w->pc, its header read into w->blob; 0 (and the walk ended) if none. */
static __always_inline __u64 jw_load_blob(struct jw_state *w)
{
	__u64 cb = jw_find_blob(w, w->pc);

	if (!cb) {
		jw_broken(w, KFR_JB_NO_BLOB);
		return 0;
	}
	if (jw_read_blob(w, cb)) {
		jw_broken(w, KFR_JB_READ);
		return 0;
	}
	return cb;
}

static __always_inline long jw_blob_frame(struct jw_state *w)
{
	__u64 cb = jw_load_blob(w);

	return cb ? jw_blob_frame_at(w, cb) : 1;
}

static long jw_step(__u32 i, void *ctx)
{
	struct jw_state *w = jw_get();

	(void)i;
	(void)ctx;
	if (!w || w->done)
		return 1;
	__u64 pc = w->pc;
	if (pc >= walk_cfg.interp_low && pc < walk_cfg.interp_high)
		return jw_interpreted(w);
	if (pc == walk_cfg.call_stub_return)
		return jw_entry(w);
	if (pc >= walk_cfg.code_low && pc < walk_cfg.code_high)
		return jw_blob_frame(w);
	/* native code: only the first frame must be Java; below Java there is only the call stub */
	return jw_broken(w, KFR_JB_UNKNOWN_PC);
}

/* Reads the anchor of a known Java thread: 0 and sp/pc/fp (sp 0: no Java frames to walk), or -1. */
static __always_inline int java_anchor(const struct kfr_java_thread *jt, __u64 an[3])
{
	__u64 raw[3];

	if (bpf_probe_read_user(raw, sizeof(raw), (void *)jt->anchor))
		return -1;
	/* _last_Java_sp, _last_Java_pc, _last_Java_fp at 0, 8, 16 (checked by libkfr) */
	an[0] = raw[0];
	an[1] = raw[1];
	an[2] = raw[2];
	return 0;
}

/* Hash of the slots' current values (window: the JW_SPAN_MAX bytes read from the anchor's sp). */
static __always_inline __u64 jw_slots_hash(struct jw_state *w, const struct jw_slots *s)
{
	__u64 h = 0xcbf29ce484222325ull;

	for (int i = 0; i < JW_SLOTS; i++) {
		if (i >= s->n)
			break;
		__u32 off = (__u32)s->off[i] * 8;
		h = jw_mix(h, *(__u64 *)(w->window + (off & (JW_SPAN_MAX - 8))));
	}
	return h;
}

static __always_inline int jw_read_window(struct jw_state *w, __u64 anchor_sp, __u32 span)
{
	if (!span || span > JW_SPAN_MAX)
		return -1;
	return bpf_probe_read_user(w->window, span & (JW_SPAN_MAX * 2 - 1) & ~7u, (void *)anchor_sp) ? -1 : 0;
}

/* True if the stack slots a cached walk depended on still hold the same values. */
static __always_inline bool java_verify(const struct jw_slots *s, __u64 anchor_sp)
{
	struct jw_state *w = jw_get();

	if (!w || !s->span || jw_read_window(w, anchor_sp, s->span))
		return false;
	return jw_slots_hash(w, s) == s->hash;
}

/* A fresh walk from (sp, pc, fp). From registers: the top frame's bcp is live (top_bcp) and the
 * stack is not verified for caching (the pc changes at every sample). */
static __always_inline void jw_start(struct jw_state *w, const struct kfr_java_thread *jt, __u64 sp, __u64 pc,
				     __u64 fp, bool from_regs)
{
	w->sp = sp;
	w->pc = pc;
	w->fp = fp;
	w->anchor_sp = sp;
	w->stack_hi = jt->stack_hi;
	w->hash = 0xcbf29ce484222325ull;
	w->n = 0;
	w->done = 0;
	w->slots_closed = from_regs;
	w->slots.n = 0;
	w->slots.span = 0;
	w->top_from_regs = from_regs;
}

/* What a walk did, for the collector's counters. */
#define JW_SENT      1
#define JW_LOST      2
#define JW_BROKEN    4
#define JW_TRUNCATED 8

struct jw_result {
	__u32 frames;
	__u32 flags; /* JW_* */
};

/* Walks the rest of the stack, then computes the id, the verification data and sends the record. */
static __always_inline __u64 jw_finish(__u32 tid, struct jw_state *w, struct jw_slots *slots, __u64 anchor_sp,
				       struct jw_result *res)
{
	__u64 id;

	if (!w->done)
		bpf_loop(KFR_JAVA_MAX_FRAMES, jw_step, NULL, 0);
	if (w->n >= KFR_JAVA_MAX_FRAMES && !w->done) {
		w->n = KFR_JAVA_MAX_FRAMES - 1;
		jw_emit(w, 0, KFR_JF_TRUNCATED, 0, 0);
		res->flags |= JW_TRUNCATED;
	}
	if (w->n && (w->rec.f[(w->n - 1) & (KFR_JAVA_MAX_FRAMES - 1)].value >> KFR_JF_SHIFT) == KFR_JF_BROKEN)
		res->flags |= JW_BROKEN;
	res->frames = w->n;
	id = w->hash;
	if (id < 16)
		id += 16; /* small ids are the KFR_JAVA_* markers */

	/* verification data: the hash of the slots' values as they are now */
	if (slots) {
		__builtin_memcpy(slots, &w->slots, sizeof(*slots));
		slots->span = 0;
		if (w->slots.n && !jw_read_window(w, anchor_sp, w->slots.span)) {
			slots->hash = jw_slots_hash(w, &w->slots);
			slots->span = w->slots.span;
		}
	}

	if (bpf_map_lookup_elem(&java_seen, &id))
		return id;
	__u32 n = w->n;
	if (n > KFR_JAVA_MAX_FRAMES)
		n = KFR_JAVA_MAX_FRAMES;
	w->rec.id = id;
	w->rec.tid = tid;
	w->rec.n = (__u16)n;
	w->rec.flags = 0;
	if (bpf_ringbuf_output(&java_stacks, &w->rec, KFR_JAVA_STACK_HDR + (__u64)n * sizeof(struct kfr_java_frame),
			       BPF_RB_NO_WAKEUP)) { /* read after each poll of the event ring */
		res->flags |= JW_LOST;
		if (slots)
			slots->span = 0; /* walk again next time: the id was never announced */
		return KFR_JAVA_LOST;
	}
	res->flags |= JW_SENT;
	__u8 one = 1;
	bpf_map_update_elem(&java_seen, &id, &one, BPF_ANY);
	return id;
}


/* Walks the Java stack of the current thread from its anchor; sends the frames once per id and
 * returns the id (or KFR_JAVA_LOST). Fills *slots, if given, for java_verify() (span 0: do not
 * reuse the id). */
static __always_inline __u64 java_walk(__u32 tid, const struct kfr_java_thread *jt, const __u64 an[3],
				       struct jw_slots *slots, struct jw_result *res)
{
	struct jw_state *w = jw_get();

	res->frames = 0;
	res->flags = 0;
	if (slots)
		slots->span = 0;
	if (!w)
		return KFR_JAVA_LOST;
	jw_start(w, jt, an[0], an[1], an[2], false);
	/* last_Java_pc is 0 when the thread left the interpreter for a VM call: the return pc is
	 * then just below the last Java sp */
	if (!w->pc && bpf_probe_read_user(&w->pc, 8, (void *)(w->sp - 8)))
		jw_broken(w, KFR_JB_READ);
	else if (!w->pc)
		jw_broken(w, KFR_JB_READ);
	return jw_finish(tid, w, slots, an[0], res);
}
/* ---- start from registers: a thread interrupted while running Java code (no anchor) ---------- */

/* Where an interrupted compiled frame stands: its frame may not be set up yet (prologue) or
 * already torn down (epilogue: after `add rsp; pop rbp`, the return poll, `ret`). */
#define JW_FRAME_UP      0 /* normal: the caller is found from the frame size */
#define JW_FRAME_POPPED  1 /* epilogue after pop rbp: return pc at [sp] */
#define JW_FRAME_RBP     2 /* at `pop rbp`: saved fp at [sp], return pc at [sp + 8] */
#define JW_FRAME_UNKNOWN 3 /* prologue: caller not known */

static __always_inline int jw_frame_state(struct jw_state *w, __u64 cb, __u64 pc)
{
	__u64 code_begin;
	__s32 complete;
	__u8 b[16];

	if (walk_cfg.gen25)
		code_begin = cb + (__s32)jw_u32(w, walk_cfg.cb_code_offset);
	else
		code_begin = *(__u64 *)(w->blob + (walk_cfg.cb_code_begin & (JW_BLOB_HDR - 8) & ~7u));
	if (walk_cfg.cb_frame_complete_size == 2)
		complete = *(__s16 *)(w->blob + (walk_cfg.cb_frame_complete & (JW_BLOB_HDR - 2) & ~1u));
	else
		complete = (__s32)jw_u32(w, walk_cfg.cb_frame_complete);
	if (complete < 0 || pc < code_begin + (__u64)complete)
		return JW_FRAME_UNKNOWN;
	if (bpf_probe_read_user(b, sizeof(b), (void *)pc))
		return JW_FRAME_UNKNOWN;
	if (b[0] == 0xc3) /* ret */
		return JW_FRAME_POPPED;
	if (b[0] == 0x5d) /* pop rbp */
		return JW_FRAME_RBP;
	/* return poll: cmp rsp, [r15 + disp32]; ja slow_path; ret */
	if (b[0] == 0x49 && b[1] == 0x3b && b[2] == 0xa7 && b[7] == 0x0f && b[8] == 0x87 && b[13] == 0xc3)
		return JW_FRAME_POPPED;
	if (b[0] == 0x0f && b[1] == 0x87 && b[6] == 0xc3)
		return JW_FRAME_POPPED;
	return JW_FRAME_UP;
}

/* The interrupted compiled (or stub) frame: emit it, then step to its caller. */
static __always_inline long jw_regs_blob_frame(struct jw_state *w)
{
	__u64 pc = w->pc, sp = w->sp, cb = jw_load_blob(w), caller[2];

	if (!cb)
		return 1;
	int state = jw_frame_state(w, cb, pc);
	if (state == JW_FRAME_UP) /* a live pc is never the deopt handler: as for a return address */
		return jw_blob_frame_at(w, cb);
	if (pc - cb >= KFR_JF_XMASK)
		return jw_broken(w, KFR_JB_NO_BLOB);
	if (jw_is_nmethod(w)) {
		if (jw_emit(w, cb, jw_compiled_kind(w), (__u32)(pc - cb), jw_u32(w, walk_cfg.nm_compile_id)))
			return 1;
	} else if (jw_emit(w, cb, KFR_JF_STUB, (__u32)(pc - cb), 0)) {
		return 1;
	}
	if (state == JW_FRAME_UNKNOWN)
		return jw_broken(w, KFR_JB_PROLOGUE);
	if (state == JW_FRAME_RBP) {
		if (bpf_probe_read_user(caller, sizeof(caller), (void *)sp))
			return jw_broken(w, KFR_JB_READ);
		return jw_next(w, sp + 16, caller[1], caller[0]);
	}
	if (bpf_probe_read_user(&caller[1], 8, (void *)sp))
		return jw_broken(w, KFR_JB_READ);
	return jw_next(w, sp + 8, caller[1], w->fp);
}

/* Is ret the return address of a call instruction (call rel32, or call through a register as
 * HotSpot emits for far runtime calls)? */
static __always_inline bool jw_after_call(__u64 ret)
{
	__u8 b[5];

	if (bpf_probe_read_user(b, sizeof(b), (void *)(ret - 5)))
		return false;
	return b[0] == 0xe8 ||                                /* call rel32 */
	       (b[2] == 0x41 && b[3] == 0xff && (b[4] & 0xf8) == 0xd0) || /* call r8..r15 */
	       (b[3] == 0xff && (b[4] & 0xf8) == 0xd0);       /* call rax..rdi */
}

#define JW_LEAF_HOPS 4

/* From a frame pointer bp above sp (libjvm keeps frame pointers), follows the chain up to
 * JW_LEAF_HOPS frames to a return address into compiled or interpreted code right after a call
 * instruction: the Java frame that made a leaf call. 0 and where its walk starts (sp, pc, fp: the
 * rbp the leaf callee saved, an interpreted frame's fp), or -1. */
static __always_inline int jw_leaf_chain(const struct kfr_java_thread *jt, __u64 sp, __u64 bp, __u64 start[3])
{
	for (int i = 0; i < JW_LEAF_HOPS; i++) {
		__u64 fr[2]; /* saved rbp, return address */

		if (bp < sp || bp + 16 > jt->stack_hi || (bp & 7) || bpf_probe_read_user(fr, sizeof(fr), (void *)bp))
			return -1;
		if (fr[1] >= walk_cfg.code_low && fr[1] < walk_cfg.code_high && fr[1] != walk_cfg.call_stub_return) {
			if (!jw_after_call(fr[1]))
				return -1;
			start[0] = bp + 16;
			start[1] = fr[1];
			start[2] = fr[0];
			return 0;
		}
		if (fr[0] <= bp)
			return -1;
		sp = bp;
		bp = fr[0];
	}
	return -1;
}

/* The Java walk from a leaf call's caller (jw_leaf_chain); not cached. */
static __always_inline __u64 jw_walk_leaf(__u32 tid, const struct kfr_java_thread *jt, struct jw_state *w,
					  const __u64 start[3], struct jw_result *res)
{
	jw_start(w, jt, start[0], start[1], start[2], false);
	w->slots_closed = 1; /* not cached */
	return jw_finish(tid, w, NULL, start[0], res);
}

/* A thread interrupted in native code that compiled Java called without setting an anchor (a
 * leaf call: intrinsics such as System.nanoTime into libjvm and the vDSO). libjvm keeps frame
 * pointers: follow rbp a few frames up to a return address into compiled code, right after a call
 * instruction, and walk the Java frames from there. Anything less certain: no Java frames. */
static __always_inline __u64 java_walk_leaf_call(__u32 tid, const struct kfr_java_thread *jt, struct jw_state *w,
						 __u64 sp, __u64 bp, struct jw_result *res)
{
	__u64 start[3];

	if (jw_leaf_chain(jt, sp, bp, start))
		return KFR_JAVA_NO_ANCHOR;
	return jw_walk_leaf(tid, jt, w, start, res);
}

#define JW_SCAN_SLOTS 32 /* words above a system call's sp searched for a saved frame pointer */

struct jw_scan {
	const struct kfr_java_thread *jt;
	__u64 sp;
	__u64 start[3];
	int found;
};

static long jw_scan_step(__u32 i, void *ctx)
{
	struct jw_scan *c = ctx;
	struct jw_state *w = jw_get();
	__u64 s = c->sp + (__u64)i * 8, v;

	if (!w || i >= JW_SCAN_SLOTS)
		return 1;
	v = *(__u64 *)(w->window + ((i * 8) & (JW_SPAN_MAX - 8)));
	if (v <= s || v + 16 > c->jt->stack_hi || (v & 7))
		return 0;
	if (jw_leaf_chain(c->jt, s, v, c->start))
		return 0;
	c->found = 1;
	return 1;
}

/* A thread in a system call made by native code that a leaf call from Java reached (a monitor exit
 * waking its successor: SharedRuntime::complete_monitor_unlocking_C, InterpreterRuntime::monitorexit,
 * down to pthread_cond_signal), rbp first, as java_walk_leaf_call. But libc's wrappers are built
 * without frame pointers, and some paths use rbp as a general register after saving the caller's
 * (glibc 2.36's pthread_cond_signal when it switches groups, the path of a single waiter): the
 * chain then starts at that saved value, in the wrapper's frame just above sp. It is the lowest of
 * the first JW_SCAN_SLOTS words above sp whose value points higher up the stack and starts a chain
 * that jw_leaf_chain accepts (with gdb at the system call, on JDK 17, 21 and 25, interpreted and C2:
 * always the saved rbp of the real chain). A stale word (an old frame pointer left in the
 * wrapper's locals) could lead to an old return address into the code cache: the walk from there
 * must then reach the thread's first Java frame unbroken, else no Java frames. */
static __always_inline __u64 java_walk_syscall(__u32 tid, const struct kfr_java_thread *jt, __u64 sp, __u64 bp,
					       struct jw_result *res)
{
	struct jw_state *w = jw_get();
	struct jw_scan c = { .jt = jt, .sp = sp };
	__u64 id;

	res->frames = 0;
	res->flags = 0;
	if (!w || sp < jt->stack_lo || sp + JW_SCAN_SLOTS * 8 > jt->stack_hi)
		return KFR_JAVA_NO_ANCHOR;
	id = java_walk_leaf_call(tid, jt, w, sp, bp, res);
	if (id != KFR_JAVA_NO_ANCHOR)
		return id;
	if (bpf_probe_read_user(w->window, JW_SCAN_SLOTS * 8, (void *)sp))
		return KFR_JAVA_NO_ANCHOR;
	bpf_loop(JW_SCAN_SLOTS, jw_scan_step, &c, 0);
	if (!c.found)
		return KFR_JAVA_NO_ANCHOR;
	id = jw_walk_leaf(tid, jt, w, c.start, res);
	if (res->flags & JW_BROKEN)
		return KFR_JAVA_NO_ANCHOR;
	return id;
}

/* Walks from the user registers of a thread interrupted in Java code. Returns the id, or
 * KFR_JAVA_NO_ANCHOR if the pc is not Java code. Not cached (the pc differs every time). */
static __always_inline __u64 java_walk_regs(__u32 tid, const struct kfr_java_thread *jt, __u64 ip, __u64 sp,
					    __u64 bp, __u64 r13, struct jw_result *res)
{
	struct jw_state *w = jw_get();
	bool interp = ip >= walk_cfg.interp_low && ip < walk_cfg.interp_high;

	res->frames = 0;
	res->flags = 0;
	if (!w || ip == walk_cfg.call_stub_return)
		return KFR_JAVA_NO_ANCHOR;
	if (!interp && (ip < walk_cfg.code_low || ip >= walk_cfg.code_high))
		return java_walk_leaf_call(tid, jt, w, sp, bp, res);
	jw_start(w, jt, sp, ip, bp, true);
	w->top_bcp = r13;
	if (sp < jt->stack_lo || sp >= jt->stack_hi)
		jw_broken(w, KFR_JB_SP_ORDER);
	else if (interp)
		jw_interpreted(w);
	else
		jw_regs_blob_frame(w);
	w->top_from_regs = 0;
	return jw_finish(tid, w, NULL, sp, res);
}

#endif
