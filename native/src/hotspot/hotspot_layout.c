/* Reads HotSpot's VMStructs tables in-process (the serviceability agent's source of truth) into a
 * kfr_hs_layout. The tables are plain static data exported by libjvm: reading them directly is
 * safe. Pointers found through them (code heaps, the interpreter) are read with kfr_safe_read. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "hotspot/hotspot_layout.h"
#include "common/safe_read.h"

struct vmstructs {
	const char *structs, *types, *ints;
	uint64_t s_stride, s_type, s_field, s_static, s_offset, s_address;
	uint64_t t_stride, t_name, t_size;
	uint64_t i_stride, i_name, i_value;
	uint64_t s_typestr;
	const char *missing; /* first required entry not found */
};

static bool sym_u64(const char *name, uint64_t *v)
{
	const uint64_t *p = dlsym(RTLD_DEFAULT, name);

	if (!p)
		return false;
	*v = *p;
	return true;
}

static bool sym_ptr(const char *name, const char **v)
{
	const char *const *p = dlsym(RTLD_DEFAULT, name);

	if (!p || !*p)
		return false;
	*v = *p;
	return true;
}

static bool vmstructs_open(struct vmstructs *vs)
{
	memset(vs, 0, sizeof(*vs));
	return sym_ptr("gHotSpotVMStructs", &vs->structs) && sym_ptr("gHotSpotVMTypes", &vs->types) &&
	       sym_ptr("gHotSpotVMIntConstants", &vs->ints) &&
	       sym_u64("gHotSpotVMStructEntryArrayStride", &vs->s_stride) &&
	       sym_u64("gHotSpotVMStructEntryTypeNameOffset", &vs->s_type) &&
	       sym_u64("gHotSpotVMStructEntryFieldNameOffset", &vs->s_field) &&
	       sym_u64("gHotSpotVMStructEntryTypeStringOffset", &vs->s_typestr) &&
	       sym_u64("gHotSpotVMStructEntryIsStaticOffset", &vs->s_static) &&
	       sym_u64("gHotSpotVMStructEntryOffsetOffset", &vs->s_offset) &&
	       sym_u64("gHotSpotVMStructEntryAddressOffset", &vs->s_address) &&
	       sym_u64("gHotSpotVMTypeEntryArrayStride", &vs->t_stride) &&
	       sym_u64("gHotSpotVMTypeEntryTypeNameOffset", &vs->t_name) &&
	       sym_u64("gHotSpotVMTypeEntrySizeOffset", &vs->t_size) &&
	       sym_u64("gHotSpotVMIntConstantEntryArrayStride", &vs->i_stride) &&
	       sym_u64("gHotSpotVMIntConstantEntryNameOffset", &vs->i_name) &&
	       sym_u64("gHotSpotVMIntConstantEntryValueOffset", &vs->i_value) && vs->s_stride && vs->t_stride &&
	       vs->i_stride;
}

/* Offset of a non-static field, or the address of a static one; -1 if absent. */
static long field(const struct vmstructs *vs, const char *type, const char *name)
{
	for (const char *e = vs->structs;; e += vs->s_stride) {
		const char *t = *(const char *const *)(e + vs->s_type);
		const char *f = *(const char *const *)(e + vs->s_field);

		if (!t)
			return -1;
		if (f && !strcmp(t, type) && !strcmp(f, name))
			return *(const int32_t *)(e + vs->s_static) ? (long)*(const uint64_t *)(e + vs->s_address)
								    : (long)*(const uint64_t *)(e + vs->s_offset);
	}
}

/* The first of two spellings (a field that moved between releases). */
static long field2(const struct vmstructs *vs, const char *t1, const char *t2, const char *name)
{
	long v = field(vs, t1, name);

	return v >= 0 ? v : field(vs, t2, name);
}

static long required(struct vmstructs *vs, long v, const char *what)
{
	if (v < 0 && !vs->missing)
		vs->missing = what;
	return v;
}

#define REQ(vs, type, name) required(vs, field(vs, type, name), type "::" name)
#define REQ2(vs, t1, t2, name) required(vs, field2(vs, t1, t2, name), t1 "::" name)

static long type_size(const struct vmstructs *vs, const char *type)
{
	for (const char *e = vs->types;; e += vs->t_stride) {
		const char *t = *(const char *const *)(e + vs->t_name);

		if (!t)
			return -1;
		if (!strcmp(t, type))
			return (long)*(const uint64_t *)(e + vs->t_size);
	}
}

/* A field's declared type as VMStructs spells it (e.g. "int", "const char*"), or NULL. */
static const char *field_type(const struct vmstructs *vs, const char *type, const char *name)
{
	for (const char *e = vs->structs;; e += vs->s_stride) {
		const char *t = *(const char *const *)(e + vs->s_type);
		const char *f = *(const char *const *)(e + vs->s_field);

		if (!t)
			return NULL;
		if (f && !strcmp(t, type) && !strcmp(f, name))
			return *(const char *const *)(e + vs->s_typestr);
	}
}

/* The size of a field's declared type (its VMStructs type string, e.g. "int", "int16_t",
 * "AccessFlags"): how many bytes to read; -1 if the field or its type is absent. */
static long field_size(const struct vmstructs *vs, const char *type, const char *name)
{
	const char *ts = field_type(vs, type, name);

	return ts ? type_size(vs, ts) : -1;
}

static long int_constant(const struct vmstructs *vs, const char *name, long dflt)
{
	for (const char *e = vs->ints;; e += vs->i_stride) {
		const char *t = *(const char *const *)(e + vs->i_name);

		if (!t)
			return dflt;
		if (!strcmp(t, name))
			return *(const int32_t *)(e + vs->i_value);
	}
}

/* Statics hold pointers: read them (safely: they are plain data, but the pointee may be absent). */
static uintptr_t static_value(uintptr_t addr)
{
	uint64_t v = 0;

	if (!addr || kfr_safe_u64(addr, &v))
		return 0;
	return (uintptr_t)v;
}

/* A static int field (e.g. Abstract_VM_Version::_vm_major_version); 0 if absent. */
static int32_t static_i32(const struct vmstructs *vs, const char *type, const char *name)
{
	long addr = field(vs, type, name);
	uint32_t v = 0;

	if (addr <= 0 || kfr_safe_u32((uintptr_t)addr, &v))
		return 0;
	return (int32_t)v;
}

static int read_code_cache(struct vmstructs *vs, struct kfr_hs_layout *l, char *why, size_t whycap)
{
	long heaps = REQ(vs, "CodeCache", "_heaps");
	long memory = REQ(vs, "CodeHeap", "_memory"), segmap = REQ(vs, "CodeHeap", "_segmap");
	long log2 = REQ(vs, "CodeHeap", "_log2_segment_size");
	long low_b = REQ(vs, "VirtualSpace", "_low_boundary"), high_b = REQ(vs, "VirtualSpace", "_high_boundary");
	long interp = REQ(vs, "AbstractInterpreter", "_code");
	long sq_buf = REQ(vs, "StubQueue", "_stub_buffer"), sq_lim = REQ(vs, "StubQueue", "_buffer_limit");

	if (vs->missing)
		return 0; /* reported by the caller */
	l->code_low = static_value((uintptr_t)REQ(vs, "CodeCache", "_low_bound"));
	l->code_high = static_value((uintptr_t)REQ(vs, "CodeCache", "_high_bound"));

	/* GrowableArray<CodeHeap*>: int _len, CodeHeap** _data; the template's offsets are exported for
	 * GrowableArray<int> (same layout for any pointer-sized E): _data at 8 from JDK 16 on
	 * (GrowableArrayBase), at 24 before (GenericGrowableArray also holds an arena and flags). */
	long ga_len = field2(vs, "GrowableArrayBase", "GenericGrowableArray", "_len");
	long ga_data = field(vs, "GrowableArray<int>", "_data");
	uintptr_t ga = static_value((uintptr_t)heaps), data = 0;
	uint32_t len = 0;
	if (ga_len < 0)
		ga_len = 0;
	if (ga_data < 0)
		ga_data = 8;
	if (!ga || kfr_safe_u32(ga + (uintptr_t)ga_len, &len) || kfr_safe_u64(ga + (uintptr_t)ga_data, (uint64_t *)&data) || !len ||
	    len > KFR_HS_MAX_HEAPS) {
		snprintf(why, whycap, "the code cache has %u heaps (supported 1..%d)", len, KFR_HS_MAX_HEAPS);
		return -1;
	}
	for (uint32_t i = 0; i < len; i++) {
		struct kfr_hs_heap *h = &l->heaps[i];
		uint64_t heap = 0, lo = 0, hi = 0, seg = 0;
		int32_t lg = 0;

		if (kfr_safe_u64(data + 8 * i, &heap) || kfr_safe_u64(heap + memory + low_b, &lo) ||
		    kfr_safe_u64(heap + memory + high_b, &hi) || kfr_safe_u64(heap + segmap + low_b, &seg) ||
		    kfr_safe_u32(heap + log2, (uint32_t *)&lg) || lo >= hi || !seg || lg < 4 || lg > 16) {
			snprintf(why, whycap, "code heap %u unreadable", i);
			return -1;
		}
		h->low = lo;
		h->high = hi;
		h->segmap = seg;
		h->log2_segment = (uint32_t)lg;
	}
	l->nheaps = (int)len;

	uintptr_t sq = static_value((uintptr_t)interp), buf = 0;
	int32_t limit = 0;
	if (!sq || kfr_safe_u64(sq + sq_buf, (uint64_t *)&buf) || kfr_safe_u32(sq + sq_lim, (uint32_t *)&limit) ||
	    !buf || limit <= 0) {
		snprintf(why, whycap, "the interpreter's code is not readable (JVM not started?)");
		return -1;
	}
	l->interp_low = buf;
	l->interp_high = buf + (uint32_t)limit;
	l->call_stub_return = static_value((uintptr_t)REQ(vs, "StubRoutines", "_call_stub_return_address"));
	if (!l->call_stub_return) {
		snprintf(why, whycap, "StubRoutines::_call_stub_return_address is not set");
		return -1;
	}
	return 0;
}

int kfr_hs_layout_read(struct kfr_hs_layout *l, char *why, size_t whycap)
{
	struct vmstructs vs;

	memset(l, 0, sizeof(*l));
	if (!vmstructs_open(&vs)) {
		snprintf(why, whycap, "not a HotSpot JVM (no VMStructs tables exported)");
		return -1;
	}
	/* No version list: each fact below is decided by what the tables hold (what a field is called,
	 * whether a structure exists, how large a field's type is), so an update release or a JDK kfr
	 * has never seen gets Java frames when everything is there; the start-up self-test then checks
	 * the result against Thread.getStackTrace. */
	l->feature = (int)static_i32(&vs, "Abstract_VM_Version", "_vm_major_version");
	/* Code blobs: JDK 23 on have CodeBlob::_kind with offsets (code, deopt handler) relative to the
	 * blob and the debug data in a separate immutable block; before, absolute pointers
	 * (CodeBlob::_code_begin, CompiledMethod::_deopt_handler_begin) and everything inside the blob.
	 * The walker handles the two as a whole: a JVM with part of each is refused below. */
	bool has_kind = field(&vs, "CodeBlob", "_kind") >= 0;
	bool has_code_offset = field(&vs, "CodeBlob", "_code_offset") >= 0 && field(&vs, "CodeBlob", "_code_begin") < 0;
	bool has_immutable = field(&vs, "nmethod", "_immutable_data") >= 0;
	if (has_kind != has_code_offset || has_kind != has_immutable) {
		snprintf(why, whycap,
			 "HotSpot layout not supported: code blobs have %s CodeBlob::_kind, %s, %s nmethod::_immutable_data",
			 has_kind ? "a" : "no", has_code_offset ? "a code offset" : "a code pointer",
			 has_immutable ? "an" : "no");
		return -1;
	}
	l->blob_offsets = has_kind;
	/* UNSIGNED5 streams with excluded bytes (JDK-8292758, JDK 20 on): a format no table describes,
	 * so the JVM's own major version (from VMStructs) decides; the self-test checks line numbers. */
	l->jdk20_plus = l->feature >= 20;

	/* Not needed (threads are found through JVMTI and Thread.eetop), so not required: JDK 11
	 * does not export ThreadsSMRSupport/ThreadsList (it has Threads::_thread_list instead). */
	l->java_thread_list = (uintptr_t)field(&vs, "ThreadsSMRSupport", "_java_thread_list");
	l->tl_length = field(&vs, "ThreadsList", "_length");
	l->tl_threads = field(&vs, "ThreadsList", "_threads");
	l->jt_osthread = REQ2(&vs, "JavaThread", "Thread", "_osthread");
	l->os_thread_id = REQ(&vs, "OSThread", "_thread_id");
	l->os_thread_id_size = 4;
	l->jt_anchor = REQ(&vs, "JavaThread", "_anchor");
	l->anchor_sp = REQ(&vs, "JavaFrameAnchor", "_last_Java_sp");
	l->anchor_pc = REQ(&vs, "JavaFrameAnchor", "_last_Java_pc");
	l->anchor_fp = REQ(&vs, "JavaFrameAnchor", "_last_Java_fp");
	l->jt_stack_base = REQ2(&vs, "JavaThread", "Thread", "_stack_base");
	l->jt_stack_size = REQ2(&vs, "JavaThread", "Thread", "_stack_size");
	l->jt_thread_state = REQ(&vs, "JavaThread", "_thread_state");

	l->heapblock_size = type_size(&vs, "HeapBlock");
	l->heapblock_used = REQ(&vs, "HeapBlock::Header", "_used");
	l->heapblock_length_size = (int)field_size(&vs, "HeapBlock::Header", "_length"); /* size_t, 25: u4 */
	l->jcw_anchor = REQ(&vs, "JavaCallWrapper", "_anchor");
	l->entry_cw_words = (int)int_constant(&vs, "frame::entry_frame_call_wrapper_offset", -6);
	l->interp_sender_sp_words = (int)int_constant(&vs, "frame::interpreter_frame_sender_sp_offset", -1);
	/* not exported: x86_64 frame_x86.hpp, unchanged from 17 to 25 */
	l->interp_method_words = -3;
	l->interp_bcp_words = -8;

	l->cb_name = REQ(&vs, "CodeBlob", "_name");
	l->cb_size = REQ(&vs, "CodeBlob", "_size");
	l->cb_frame_size = REQ(&vs, "CodeBlob", "_frame_size");
	l->cb_frame_complete = REQ(&vs, "CodeBlob", "_frame_complete_offset");
	l->cb_frame_complete_size = (int)field_size(&vs, "CodeBlob", "_frame_complete_offset"); /* int, 25: int16_t */
	bool gen25 = l->blob_offsets;
	l->cb_code_begin = gen25 ? -1 : REQ(&vs, "CodeBlob", "_code_begin");
	l->cb_code_offset = gen25 ? REQ(&vs, "CodeBlob", "_code_offset") : -1;
	l->cb_kind = gen25 ? REQ(&vs, "CodeBlob", "_kind") : -1;
	l->cb_mutable_data = gen25 ? REQ(&vs, "CodeBlob", "_mutable_data") : -1;
	l->cb_mutable_data_size = gen25 ? REQ(&vs, "CodeBlob", "_mutable_data_size") : -1;
	l->cb_relocation_size = gen25 ? REQ(&vs, "CodeBlob", "_relocation_size") : -1;
	l->nm_method = REQ2(&vs, "nmethod", "CompiledMethod", "_method");
	l->nm_compile_id = REQ(&vs, "nmethod", "_compile_id");
	l->nm_deopt_handler = gen25 ? REQ(&vs, "nmethod", "_deopt_handler_offset")
				    : REQ(&vs, "CompiledMethod", "_deopt_handler_begin");
	l->nm_orig_pc_offset = REQ(&vs, "nmethod", "_orig_pc_offset");
	l->nm_scopes_data_begin = gen25 ? -1 : REQ(&vs, "CompiledMethod", "_scopes_data_begin");
	l->nm_scopes_data_offset = gen25 ? REQ(&vs, "nmethod", "_scopes_data_offset") : -1;
	l->nm_scopes_pcs_offset = REQ(&vs, "nmethod", "_scopes_pcs_offset");
	l->nm_dependencies_offset = gen25 ? -1 : REQ(&vs, "nmethod", "_dependencies_offset");
	l->nm_metadata_offset = gen25 ? -1 : REQ(&vs, "nmethod", "_metadata_offset");
	l->nm_immutable_data = gen25 ? REQ(&vs, "nmethod", "_immutable_data") : -1;
	l->nm_immutable_data_size = gen25 ? REQ(&vs, "nmethod", "_immutable_data_size") : -1;
	l->pcdesc_size = type_size(&vs, "PcDesc");
	l->pcdesc_pc_offset = REQ(&vs, "PcDesc", "_pc_offset");
	l->pcdesc_scope_decode_offset = REQ(&vs, "PcDesc", "_scope_decode_offset");

	l->m_const_method = REQ(&vs, "Method", "_constMethod");
	l->m_access_flags = REQ(&vs, "Method", "_access_flags");
	l->m_access_flags_size = (int)field_size(&vs, "Method", "_access_flags"); /* AccessFlags: u4, 25: u2 */
	/* Method flags: up to JDK 20 Method::_flags (u2) holds "hidden" (Method::_hidden) and
	 * ConstMethod::_flags (u2) "has line numbers" (ConstMethod::_has_linenumber_table); from 21
	 * both live in ConstMethodFlags (ConstMethod::_flags._flags, u4, its constants prefixed
	 * ConstMethodFlags::_misc_). */
	bool cm_flags_class = int_constant(&vs, "ConstMethodFlags::_misc_has_linenumber_table", -1) >= 0;
	l->m_flags = cm_flags_class ? -1 : REQ(&vs, "Method", "_flags");
	l->m_hidden_bit = cm_flags_class ? 0 : (uint32_t)int_constant(&vs, "Method::_hidden", 0);
	if (!cm_flags_class && !l->m_hidden_bit && !vs.missing)
		vs.missing = "Method::_hidden";
	l->cm_constants = REQ(&vs, "ConstMethod", "_constants");
	l->cm_flags = cm_flags_class ? REQ(&vs, "ConstMethod", "_flags._flags") : REQ(&vs, "ConstMethod", "_flags");
	l->cm_flags_size = (int)field_size(&vs, "ConstMethod", cm_flags_class ? "_flags._flags" : "_flags");
	l->cm_code_size = REQ(&vs, "ConstMethod", "_code_size");
	l->cm_name_index = REQ(&vs, "ConstMethod", "_name_index");
	l->cm_signature_index = REQ(&vs, "ConstMethod", "_signature_index");
	l->cm_method_idnum = REQ(&vs, "ConstMethod", "_method_idnum");
	long lnt = int_constant(&vs, cm_flags_class ? "ConstMethodFlags::_misc_has_linenumber_table"
						    : "ConstMethod::_has_linenumber_table", -1);
	if (lnt <= 0 && !vs.missing)
		vs.missing = "ConstMethod's has_linenumber_table flag";
	l->cm_has_linenumber_table = (uint32_t)lnt;
	/* ConstMethodFlags is_hidden (1 << 12 in 21 and 25's constMethodFlags.hpp): not exported; a
	 * wrong bit shows or hides lambda-form frames, which the self-test compares */
	l->cm_hidden_bit = cm_flags_class ? 1u << 12 : 0;
	l->cm_sizeof = type_size(&vs, "ConstMethod");
	l->cp_tags = REQ(&vs, "ConstantPool", "_tags");
	l->cp_pool_holder = REQ(&vs, "ConstantPool", "_pool_holder");
	l->cp_length = REQ(&vs, "ConstantPool", "_length");
	l->cp_sizeof = type_size(&vs, "ConstantPool");
	l->klass_name = REQ(&vs, "Klass", "_name");
	l->klass_cld = REQ(&vs, "Klass", "_class_loader_data");
	l->ik_constants = REQ(&vs, "InstanceKlass", "_constants");
	l->ik_methods = REQ(&vs, "InstanceKlass", "_methods");
	l->sym_length = REQ(&vs, "Symbol", "_length");
	l->sym_body = REQ(&vs, "Symbol", "_body");

	if (!vs.missing && (l->heapblock_size <= 0 || l->pcdesc_size <= 0 || l->cm_sizeof <= 0 || l->cp_sizeof <= 0))
		vs.missing = "type sizes (HeapBlock, PcDesc, ConstMethod, ConstantPool)";
	if (!vs.missing && (l->heapblock_length_size != 4 && l->heapblock_length_size != 8))
		vs.missing = "a 4- or 8-byte HeapBlock::Header::_length";
	if (!vs.missing && (l->cb_frame_complete_size != 2 && l->cb_frame_complete_size != 4))
		vs.missing = "a 2- or 4-byte CodeBlob::_frame_complete_offset";
	if (!vs.missing && (l->m_access_flags_size != 2 && l->m_access_flags_size != 4))
		vs.missing = "a 2- or 4-byte Method::_access_flags";
	if (!vs.missing && (l->cm_flags_size != 2 && l->cm_flags_size != 4))
		vs.missing = "a 2- or 4-byte ConstMethod flags field";
	if (!vs.missing && read_code_cache(&vs, l, why, whycap))
		return -1;
	if (vs.missing) {
		snprintf(why, whycap, "HotSpot layout not supported: VMStructs has no %s", vs.missing);
		return -1;
	}
	return 0;
}

/* Whether a JVMFlag's _type (at addr) says bool: up to 15 the type's name ("bool"), from 16 on
 * an enum whose 0 is JVMFlag::TYPE_bool. */
static bool flag_is_bool(uintptr_t addr, bool type_is_name)
{
	if (type_is_name) {
		uint64_t p = 0;
		char buf[5];

		return !kfr_safe_u64(addr, &p) && p && !kfr_safe_read(buf, p, sizeof(buf)) && !memcmp(buf, "bool", 5);
	}
	uint32_t type = 1;
	return !kfr_safe_u32(addr, &type) && type == 0;
}

int kfr_hs_set_bool_flag(const char *name, bool value)
{
	struct vmstructs vs;

	if (!vmstructs_open(&vs))
		return -1;
	long table = field(&vs, "JVMFlag", "flags"), count = field(&vs, "JVMFlag", "numFlags");
	long f_name = field(&vs, "JVMFlag", "_name"), f_addr = field(&vs, "JVMFlag", "_addr");
	long f_type = field(&vs, "JVMFlag", "_type"), size = type_size(&vs, "JVMFlag");
	uintptr_t flags = static_value((uintptr_t)table), n = static_value((uintptr_t)count);
	const char *type_decl = f_type >= 0 ? field_type(&vs, "JVMFlag", "_type") : NULL;
	bool type_is_name = type_decl && strchr(type_decl, '*'); /* 11: "const char*"; 16+: "int" */

	if (table < 0 || count < 0 || f_name < 0 || f_addr < 0 || size <= 0 || !flags || n > 100000)
		return -1;
	for (uintptr_t i = 0; i < n; i++) {
		uintptr_t entry = flags + i * (uintptr_t)size;
		uint64_t np = 0, addr = 0;
		char buf[64];

		if (kfr_safe_u64(entry + (uintptr_t)f_name, &np) || !np || kfr_safe_read(buf, np, strlen(name) + 1) ||
		    memcmp(buf, name, strlen(name) + 1))
			continue;
		if (f_type >= 0 && !flag_is_bool(entry + (uintptr_t)f_type, type_is_name))
			return -1;
		if (kfr_safe_u64(entry + (uintptr_t)f_addr, &addr) || !addr)
			return -1;
		*(volatile bool *)(uintptr_t)addr = value; /* the flag's own storage, a global of libjvm */
		return 0;
	}
	return -1;
}
