/* Configuration of the BPF HotSpot walker (hotspot_walk.bpf.h), filled by libkfr from the JVM's
 * VMStructs (hotspot_walk_cfg.c) and placed in the program's read-only data before load.
 * Shared by BPF and user space: fixed-width types only. */
#ifndef KFR_WALK_CFG_H
#define KFR_WALK_CFG_H

#define KFR_WALK_MAX_HEAPS 4

struct kfr_walk_cfg {
	__u64 interp_low, interp_high;  /* template interpreter code */
	__u64 call_stub_return;         /* return address into the call stub: an entry frame */
	__u64 code_low, code_high;      /* the whole code cache */
	__u64 heap_low[KFR_WALK_MAX_HEAPS], heap_high[KFR_WALK_MAX_HEAPS], heap_segmap[KFR_WALK_MAX_HEAPS];
	__u32 heap_log2[KFR_WALK_MAX_HEAPS];
	__u32 nheaps;
	__u32 enabled;                  /* 0: no Java frames */
	__u32 gen25;                    /* JDK 25 layout (CodeBlob::_kind, relative deopt handler) */
	__u32 hb_size;                  /* sizeof(HeapBlock) */
	__u32 hb_used;                  /* HeapBlock::Header::_used */
	__u32 cb_name, cb_frame_size, cb_kind;
	__u32 nm_compile_id, nm_deopt_handler, nm_orig_pc_offset;
	__u32 jcw_anchor;               /* JavaCallWrapper::_anchor */
	__s32 entry_cw_words;           /* entry frame: JavaCallWrapper* at fp + words * 8 */
	__u32 m_const_method;           /* Method::_constMethod */
	__u32 cm_sizeof;                /* bytecodes start at ConstMethod + this */
	__u32 anchor_sp, anchor_pc, anchor_fp; /* JavaFrameAnchor fields */
	/* start from registers (a thread interrupted in Java code) */
	__u32 cb_code_begin;            /* 17: CodeBlob::_code_begin (address); 0 on 25 */
	__u32 cb_code_offset;           /* 25: CodeBlob::_code_offset (int from the blob); 0 on 17 */
	__u32 cb_frame_complete;        /* CodeBlob::_frame_complete_offset (from code begin) */
	__u32 cb_frame_complete_size;   /* 4 (17) or 2 (25) */
};

/* A Java thread as the walker needs it (BPF map java_threads, key = Linux tid). */
struct kfr_java_thread {
	__u64 anchor;     /* address of the thread's JavaFrameAnchor */
	__u64 stack_lo;   /* thread stack [lo, hi): every frame lies inside */
	__u64 stack_hi;
};

#endif
