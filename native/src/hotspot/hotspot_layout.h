/* HotSpot's memory layout in the running JVM, read from its VMStructs tables (gHotSpotVMStructs
 * and friends, exported by libjvm) plus the few facts VMStructs lacks, hard-coded per JDK
 * generation (docs/unwinder-design.md §1.2). Read once, in the JVM's own process; everything the
 * BPF walker and the symbolizer need. Offsets are byte offsets into the object; -1 = absent. */
#ifndef KFR_HOTSPOT_LAYOUT_H
#define KFR_HOTSPOT_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KFR_HS_MAX_HEAPS 4

struct kfr_hs_heap {
	uintptr_t low, high;   /* reserved range of the heap's memory */
	uintptr_t segmap;      /* segment map (one byte per segment) */
	uint32_t log2_segment; /* log2 of the segment size */
};

struct kfr_hs_layout {
	int feature;            /* the JVM's major version (Abstract_VM_Version), for messages */
	bool blob_offsets;      /* CodeBlob::_kind, offsets relative to the blob, nmethod immutable data (23+) */
	bool jdk20_plus;        /* UNSIGNED5 streams have "excluded bytes" base 1 (JDK-8292758) */

	/* threads */
	uintptr_t java_thread_list; /* &ThreadsSMRSupport::_java_thread_list (static) */
	long tl_length, tl_threads; /* ThreadsList::_length (uint), ::_threads (JavaThread**) */
	long jt_osthread;           /* JavaThread::_osthread (17) or Thread::_osthread (25) */
	long os_thread_id;          /* OSThread::_thread_id */
	int os_thread_id_size;      /* 4 (pid_t) */
	long jt_anchor;             /* JavaThread::_anchor */
	long anchor_sp, anchor_pc, anchor_fp; /* JavaFrameAnchor::_last_Java_{sp,pc,fp} */
	long jt_stack_base, jt_stack_size;    /* JavaThread (17) / Thread (25) */
	long jt_thread_state;

	/* code cache */
	int nheaps;
	struct kfr_hs_heap heaps[KFR_HS_MAX_HEAPS];
	uintptr_t code_low, code_high;   /* CodeCache::_low_bound / _high_bound */
	long heapblock_size;             /* sizeof(HeapBlock): blob = block + this */
	long heapblock_used;             /* HeapBlock::Header::_used (bool) */
	int heapblock_length_size;       /* 8 (size_t, 17) or 4 (uint32_t, 25) */
	uintptr_t interp_low, interp_high; /* the template interpreter's code */
	uintptr_t call_stub_return;      /* StubRoutines::_call_stub_return_address (value) */
	long jcw_anchor;                 /* JavaCallWrapper::_anchor */
	int entry_cw_words;              /* frame::entry_frame_call_wrapper_offset (words from fp, < 0) */
	int interp_method_words;         /* interpreter frame: Method* at fp + this * 8 (-3) */
	int interp_bcp_words;            /* interpreter frame: bcp at fp + this * 8 (-8) */
	int interp_sender_sp_words;      /* frame::interpreter_frame_sender_sp_offset (-1) */

	/* CodeBlob / nmethod */
	long cb_name;               /* const char* */
	long cb_size;               /* int */
	long cb_frame_size;         /* int, words */
	long cb_frame_complete;     /* int (17) / int16 (25) */
	int cb_frame_complete_size;
	long cb_code_begin;         /* 17: address field; -1 on 25 */
	long cb_code_offset;        /* 25: int, code begins at blob + value; -1 on 17 */
	long cb_kind;               /* 25: u1 CodeBlobKind (nmethod = 1); -1 on 17 (name is compared) */
	long cb_mutable_data;       /* 25: address */
	long cb_relocation_size;    /* 25: int */
	long cb_mutable_data_size;  /* 25: int */
	long nm_method;             /* Method* */
	long nm_compile_id;         /* int */
	long nm_deopt_handler;      /* 17: address (absolute); 25: int offset from the blob */
	long nm_orig_pc_offset;     /* int: saved original pc at frame sp + value (deoptimized frame) */
	long nm_scopes_data_begin;  /* 17: address; -1 on 25 */
	long nm_scopes_data_offset; /* 25: int, from immutable data; -1 on 17 */
	long nm_scopes_pcs_offset;  /* int: 17 from the blob, 25 from immutable data */
	long nm_dependencies_offset;/* 17: int, end of the PcDescs (from the blob); -1 on 25 */
	long nm_metadata_offset;    /* 17: int from the blob; -1 on 25 (mutable data + relocation size) */
	long nm_immutable_data;     /* 25: address; -1 on 17 */
	long nm_immutable_data_size;/* 25: int; -1 on 17 */
	long pcdesc_size;           /* sizeof(PcDesc) (16) */
	long pcdesc_pc_offset, pcdesc_scope_decode_offset;

	/* Method / ConstMethod / ConstantPool / Klass / Symbol */
	long m_const_method;
	long m_access_flags;        /* 4 bytes (17) or 2 (25) */
	int m_access_flags_size;
	long m_flags;               /* to 20: Method::_flags (u2), hidden bit = m_hidden_bit; -1 from 21 */
	uint32_t m_hidden_bit;
	long cm_constants, cm_flags, cm_code_size, cm_name_index, cm_signature_index, cm_method_idnum;
	int cm_flags_size;          /* 2 (to 20) or 4 (ConstMethodFlags, 21+) */
	uint32_t cm_has_linenumber_table; /* flag bit */
	uint32_t cm_hidden_bit;     /* 21+: ConstMethodFlags is_hidden (1 << 12); 0 before (m_flags) */
	long cm_sizeof;             /* sizeof(ConstMethod): bytecodes start here */
	long cp_tags, cp_pool_holder, cp_length, cp_sizeof;
	long klass_name;
	long klass_cld;             /* Klass::_class_loader_data */
	long ik_constants, ik_methods;
	long sym_length, sym_body;
};

/* Reads the layout of the JVM this library is loaded in. 0, or -1 with a one-line reason in
 * why (not HotSpot, unsupported version, a required entry missing). The code cache and
 * interpreter must exist: call it after the JVM has started (JNI_OnLoad or later). */
int kfr_hs_layout_read(struct kfr_hs_layout *l, char *why, size_t whycap);

/* Sets a boolean -XX flag of the running JVM through the VMStructs flag table, as
 * -XX:+<name> would have (e.g. DebugNonSafepoints: compiled code records debug information at
 * every instruction boundary it can, so a sampled pc names its inlined methods; methods compiled
 * before keep what they have). 0, or -1 if the flag is unknown or not a bool. */
int kfr_hs_set_bool_flag(const char *name, bool value);

#endif
