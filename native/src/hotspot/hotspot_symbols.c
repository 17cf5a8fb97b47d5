/* Names for the BPF walker's raw Java frames (docs/unwinder-design.md §4, §5).
 *
 * Everything here reads JVM memory that may have changed since the walk (classes unloaded,
 * nmethods flushed, code cache reused), so every pointer is read through kfr_safe_read and every
 * structure is cross-checked before anything derived from it is returned: a frame that fails a
 * check is an error (the caller shows it as unknown), never a guess. The one state kept between
 * calls is the PcDesc tables of nmethods (pc_desc_cache.h), used only after the blob is checked. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "hotspot/hotspot_symbols.h"
#include "common/safe_read.h"
#include "hotspot/pc_desc_cache.h"

/* VMStructs facts kfr_hs_layout does not carry; identical on 17.0.15 and 25.0.3 (x86_64):
 * Array<T>::_length int @0, Array<u1>::_data @4, Array<Method*>::_data @8; JVM_CONSTANT_Utf8 = 1.
 * JVM_ACC_NATIVE is the class file flag (not in VMStructs). */
#define ARRAY_LENGTH   0
#define ARRAY_U1_DATA  4
#define ARRAY_PTR_DATA 8
#define CONSTANT_UTF8  1
#define ACC_NATIVE     0x0100

#define BCI_UNKNOWN   KFR_JF_XMASK /* x of an interpreted frame whose bcp was outside the method */
#define HDR_MAX       1024         /* largest object prefix read in one go */
#define PAGE          4096         /* chunked reads never cross this boundary */
#define DATA_MAX      (64u << 20)  /* sanity bound of an nmethod's data sections */
#define METHODS_MAX   65536        /* methods of one class (idnums are u2) */
#define LINE_PAIRS_MAX (1u << 17)  /* line table entries (more than any code_size allows) */
#define U5_CONT       192          /* UNSIGNED5: a byte >= this is followed by another */

/* ---- reading -------------------------------------------------------------------------- */

static bool rd(void *dst, uintptr_t addr, size_t n)
{
	return kfr_safe_read(dst, addr, n) == 0;
}

/* Field of `size` bytes at `off` in an object prefix previously read into buf. */
static uint64_t ld(const uint8_t *buf, long off, int size)
{
	uint64_t v8;
	uint32_t v4;
	uint16_t v2;

	switch (size) {
	case 1:
		return buf[off];
	case 2:
		memcpy(&v2, buf + off, 2);
		return v2;
	case 4:
		memcpy(&v4, buf + off, 4);
		return v4;
	default:
		memcpy(&v8, buf + off, 8);
		return v8;
	}
}

static uintptr_t ldp(const uint8_t *buf, long off)
{
	return (uintptr_t)ld(buf, off, 8);
}

static uint32_t ld32(const uint8_t *buf, long off)
{
	return (uint32_t)ld(buf, off, 4);
}

/* Grows span so that a field (off, size) is inside it; absent fields (off < 0) are ignored. */
static long span_to(long span, long off, int size)
{
	return off >= 0 && off + size > span ? off + size : span;
}

/* One read of the first span bytes of an object (span computed from the fields needed). */
static bool rd_prefix(uint8_t *buf, uintptr_t addr, long span)
{
	return span > 0 && span <= HDR_MAX && rd(buf, addr, (size_t)span);
}

static bool aligned8(uintptr_t p)
{
	return p >= 4096 && !(p & 7);
}

/* Reads a NUL-terminated C string of at most cap - 1 bytes in page-bounded chunks (a string
 * near the end of a mapping must not fail because of bytes after its NUL). Bytes outside
 * printable ASCII become '?'. Returns the length, or -1 if nothing could be read. */
static long rd_cstr(uintptr_t addr, char *out, size_t cap)
{
	size_t n = 0;

	if (!cap)
		return -1;
	while (n < cap - 1) {
		size_t chunk = PAGE - ((addr + n) & (PAGE - 1)), i;

		if (chunk > cap - 1 - n)
			chunk = cap - 1 - n;
		if (chunk > 64)
			chunk = 64;
		if (!rd(out + n, addr + n, chunk))
			break;
		for (i = 0; i < chunk && out[n + i]; i++)
			if ((unsigned char)out[n + i] < 0x20 || (unsigned char)out[n + i] > 0x7e)
				out[n + i] = '?';
		n += i;
		if (i < chunk) {
			out[n] = 0;
			return (long)n;
		}
	}
	if (!n)
		return -1;
	out[n] = 0; /* cut */
	return (long)n;
}

/* Sequential reader over JVM memory (line tables, scope data), refilled in page-bounded chunks,
 * never past limit (0: no limit). */
struct stream {
	uintptr_t next; /* address of the byte after the buffered ones */
	uintptr_t limit;
	uint8_t buf[128];
	unsigned pos, len;
};

static void stream_init(struct stream *s, uintptr_t addr, uintptr_t limit)
{
	s->next = addr;
	s->limit = limit;
	s->pos = s->len = 0;
}

static bool stream_byte(struct stream *s, uint8_t *b)
{
	if (s->pos == s->len) {
		size_t n = sizeof(s->buf), to_page = PAGE - (s->next & (PAGE - 1));

		if (n > to_page)
			n = to_page;
		if (s->limit) {
			if (s->next >= s->limit)
				return false;
			if (n > s->limit - s->next)
				n = s->limit - s->next;
		}
		if (!rd(s->buf, s->next, n))
			return false;
		s->next += n;
		s->pos = 0;
		s->len = (unsigned)n;
	}
	*b = s->buf[s->pos++];
	return true;
}

/* UNSIGNED5 (compressedStream.hpp / unsigned5.hpp): up to 5 bytes, digit = byte - x (x = the
 * number of excluded bytes: 0 on JDK 17, 1 from JDK 20), base 64 after the first. */
static bool stream_u5(struct stream *s, uint32_t x, uint32_t *v)
{
	uint32_t sum = 0;

	for (int i = 0; i < 5; i++) {
		uint8_t b;

		if (!stream_byte(s, &b) || b < x)
			return false;
		sum += (uint32_t)(b - x) << (6 * i);
		if (b < U5_CONT)
			break;
	}
	*v = sum;
	return true;
}

static bool stream_signed(struct stream *s, uint32_t x, int32_t *v)
{
	uint32_t u;

	if (!stream_u5(s, x, &u))
		return false;
	*v = (int32_t)(u >> 1) ^ -(int32_t)(u & 1);
	return true;
}

static uint32_t u5_base(const struct kfr_hs_layout *l)
{
	return l->jdk20_plus ? 1 : 0;
}

/* ---- methods -------------------------------------------------------------------------- */

/* A Method* that passed every check of §5, with what naming it needs. */
struct method_info {
	uintptr_t cm;        /* ConstMethod* */
	uintptr_t cp;        /* ConstantPool* */
	uintptr_t holder;    /* InstanceKlass* */
	uintptr_t name_sym, sig_sym, klass_sym;
	uint32_t code_size;
	bool native, hidden, has_lines;
};

/* Tag bytes of two constant pool entries, and the tags array length, in as few reads as
 * possible (name and signature indexes are usually close). */
static bool read_tags(uintptr_t tags, uint32_t i, uint32_t j, uint32_t *len, uint8_t *ti, uint8_t *tj)
{
	uint8_t buf[HDR_MAX];
	uint32_t hi = i > j ? i : j;

	if (ARRAY_U1_DATA + hi + 1 <= sizeof(buf)) {
		if (!rd(buf, tags, ARRAY_U1_DATA + hi + 1))
			return false;
		memcpy(len, buf + ARRAY_LENGTH, 4);
		*ti = buf[ARRAY_U1_DATA + i];
		*tj = buf[ARRAY_U1_DATA + j];
		return true;
	}
	return rd(len, tags + ARRAY_LENGTH, 4) && rd(ti, tags + ARRAY_U1_DATA + i, 1) &&
	       rd(tj, tags + ARRAY_U1_DATA + j, 1);
}

/* The two Symbol* of constant pool entries i and j (one read when close). */
static bool read_cp_symbols(uintptr_t entries, uint32_t i, uint32_t j, uintptr_t *si, uintptr_t *sj)
{
	uint32_t lo = i < j ? i : j, hi = i > j ? i : j;
	uintptr_t buf[HDR_MAX / 8];

	if (hi - lo < HDR_MAX / 8) {
		if (!rd(buf, entries + 8 * (uintptr_t)lo, 8 * (size_t)(hi - lo + 1)))
			return false;
		*si = buf[i - lo];
		*sj = buf[j - lo];
		return true;
	}
	return rd(si, entries + 8 * (uintptr_t)i, 8) && rd(sj, entries + 8 * (uintptr_t)j, 8);
}

/* The class still owns the method: holder->_methods has it (at its idnum, or anywhere after
 * default-method processing or redefinition renumbered the array). */
static bool holder_has_method(uintptr_t methods, uint32_t idnum, uintptr_t m)
{
	uintptr_t buf[64], v = 0;
	int32_t len = 0;

	if (!aligned8(methods) || !rd(&len, methods + ARRAY_LENGTH, 4) || len <= 0 || len > METHODS_MAX)
		return false;
	if (idnum < (uint32_t)len && rd(&v, methods + ARRAY_PTR_DATA + 8 * (uintptr_t)idnum, 8) && v == m)
		return true;
	for (int32_t i = 0; i < len; i += 64) {
		int32_t n = len - i < 64 ? len - i : 64;

		if (!rd(buf, methods + ARRAY_PTR_DATA + 8 * (uintptr_t)i, 8 * (size_t)n))
			return false;
		for (int32_t k = 0; k < n; k++)
			if (buf[k] == m)
				return true;
	}
	return false;
}

/* Validates a Method* (§5): Method -> ConstMethod -> ConstantPool -> holder class, whose
 * _constants points back at the pool and whose _methods contains the method; name and signature
 * are Utf8 entries of the pool. 0, or -KFR_JS_ERR_READ (the Method* itself is unreadable) /
 * -KFR_JS_ERR_METHOD. */
static int method_load(const struct kfr_hs_layout *l, uintptr_t m, struct method_info *mi)
{
	uint8_t mb[HDR_MAX], cmb[HDR_MAX], cpb[HDR_MAX], kb[HDR_MAX];
	long mspan = 0, cmspan = 0, cpspan = 0, kspan = 0;

	memset(mi, 0, sizeof(*mi));
	mspan = span_to(mspan, l->m_const_method, 8);
	mspan = span_to(mspan, l->m_access_flags, l->m_access_flags_size);
	mspan = span_to(mspan, l->m_flags, 2);
	if (!aligned8(m))
		return -KFR_JS_ERR_METHOD;
	if (!rd_prefix(mb, m, mspan))
		return -KFR_JS_ERR_READ;

	mi->cm = ldp(mb, l->m_const_method);
	cmspan = span_to(cmspan, l->cm_constants, 8);
	cmspan = span_to(cmspan, l->cm_flags, l->cm_flags_size);
	cmspan = span_to(cmspan, l->cm_code_size, 2);
	cmspan = span_to(cmspan, l->cm_name_index, 2);
	cmspan = span_to(cmspan, l->cm_signature_index, 2);
	cmspan = span_to(cmspan, l->cm_method_idnum, 2);
	if (!aligned8(mi->cm) || mi->cm == m || !rd_prefix(cmb, mi->cm, cmspan))
		return -KFR_JS_ERR_METHOD;

	mi->cp = ldp(cmb, l->cm_constants);
	cpspan = span_to(cpspan, l->cp_tags, 8);
	cpspan = span_to(cpspan, l->cp_pool_holder, 8);
	cpspan = span_to(cpspan, l->cp_length, 4);
	if (!aligned8(mi->cp) || !rd_prefix(cpb, mi->cp, cpspan))
		return -KFR_JS_ERR_METHOD;

	mi->holder = ldp(cpb, l->cp_pool_holder);
	kspan = span_to(kspan, l->klass_name, 8);
	kspan = span_to(kspan, l->ik_constants, 8);
	kspan = span_to(kspan, l->ik_methods, 8);
	if (!aligned8(mi->holder) || !rd_prefix(kb, mi->holder, kspan) || ldp(kb, l->ik_constants) != mi->cp)
		return -KFR_JS_ERR_METHOD; /* the pool's class does not point back at it */

	uint32_t cp_len = ld32(cpb, l->cp_length), tags_len = 0;
	uint32_t ni = (uint32_t)ld(cmb, l->cm_name_index, 2), si = (uint32_t)ld(cmb, l->cm_signature_index, 2);
	uintptr_t tags = ldp(cpb, l->cp_tags);
	uint8_t nt = 0, st = 0;
	if (cp_len < 2 || cp_len > 65535 || !ni || !si || ni >= cp_len || si >= cp_len || !aligned8(tags) ||
	    !read_tags(tags, ni, si, &tags_len, &nt, &st) || tags_len != cp_len || nt != CONSTANT_UTF8 ||
	    st != CONSTANT_UTF8)
		return -KFR_JS_ERR_METHOD;

	uintptr_t entries = mi->cp + (uintptr_t)l->cp_sizeof;
	if (!read_cp_symbols(entries, ni, si, &mi->name_sym, &mi->sig_sym))
		return -KFR_JS_ERR_METHOD;
	mi->klass_sym = ldp(kb, l->klass_name);
	if (mi->name_sym < 4096 || (mi->name_sym & 3) || mi->sig_sym < 4096 || (mi->sig_sym & 3) ||
	    mi->klass_sym < 4096 || (mi->klass_sym & 3))
		return -KFR_JS_ERR_METHOD;

	if (!holder_has_method(ldp(kb, l->ik_methods), (uint32_t)ld(cmb, l->cm_method_idnum, 2), m))
		return -KFR_JS_ERR_METHOD;

	uint32_t cm_flags = (uint32_t)ld(cmb, l->cm_flags, l->cm_flags_size);
	mi->code_size = (uint32_t)ld(cmb, l->cm_code_size, 2);
	mi->has_lines = (cm_flags & l->cm_has_linenumber_table) != 0;
	mi->native = (ld(mb, l->m_access_flags, l->m_access_flags_size) & ACC_NATIVE) != 0;
	mi->hidden = l->m_flags >= 0 ? (ld(mb, l->m_flags, 2) & l->m_hidden_bit) != 0
				     : (cm_flags & l->cm_hidden_bit) != 0;
	return 0;
}

/* bci -> source line (Method::line_number_from_bci): the compressed table follows the
 * bytecodes; pairs are delta-coded from (0, 0), not necessarily sorted; the exact bci wins,
 * else the largest bci below it. -1 when unknown. */
static int32_t method_line(const struct kfr_hs_layout *l, const struct method_info *mi, int32_t bci)
{
	uint32_t ub = 0, uline = 0; /* deltas add modulo 2^32: no signed overflow on odd data */
	int32_t b, line, best_bci = 0, best_line = -1;
	struct stream s;

	if (bci == -1)
		bci = 0; /* method entry (e.g. a synchronized method's lock): HotSpot reports bci 0 */
	if (bci < 0 || (uint32_t)bci >= mi->code_size || !mi->has_lines)
		return -1;
	stream_init(&s, mi->cm + (uintptr_t)l->cm_sizeof + mi->code_size, 0);
	for (uint32_t k = 0; k < LINE_PAIRS_MAX; k++) {
		uint8_t c;

		if (!stream_byte(&s, &c))
			return -1;
		if (c == 0)
			break;
		if (c == 0xff) {
			int32_t db, dl;

			if (!stream_signed(&s, u5_base(l), &db) || !stream_signed(&s, u5_base(l), &dl))
				return -1;
			ub += (uint32_t)db;
			uline += (uint32_t)dl;
		} else {
			ub += c >> 3;
			uline += c & 7;
		}
		b = (int32_t)ub;
		line = (int32_t)uline;
		if (b == bci)
			return line;
		if (b < bci && b >= best_bci) {
			best_bci = b;
			best_line = line;
		}
	}
	return best_line;
}

static void scope_set(struct kfr_hs_scope *s, uintptr_t m, const struct method_info *mi, int32_t bci,
		      int32_t line, uint8_t type)
{
	memset(s, 0, sizeof(*s));
	s->method = m;
	s->bci = bci;
	s->line = line;
	s->type = type;
	s->hidden = mi && mi->hidden;
	if (mi) {
		s->holder = mi->holder;
		s->klass_sym = mi->klass_sym;
		s->name_sym = mi->name_sym;
		s->sig_sym = mi->sig_sym;
	}
}

/* ---- code blobs ----------------------------------------------------------------------- */

/* blob is the start of a block of a code heap (CodeHeap::find_blob): its segment is a block's first
 * (segment map byte 0) and the blob follows the block's header. Catches pointers into the middle
 * of a blob; whether the block is used is read with the blob's header (blob_header). */
static bool blob_at_block_start(const struct kfr_hs_layout *l, uintptr_t blob)
{
	for (int i = 0; i < l->nheaps; i++) {
		const struct kfr_hs_heap *h = &l->heaps[i];
		uintptr_t idx, block;
		uint8_t tag;

		if (blob < h->low || blob >= h->high)
			continue;
		idx = (blob - h->low) >> h->log2_segment;
		block = h->low + (idx << h->log2_segment);
		return rd(&tag, h->segmap + idx, 1) && tag == 0 && block + (uintptr_t)l->heapblock_size == blob;
	}
	return false;
}

enum blob_kind { BLOB_OTHER, BLOB_NMETHOD, BLOB_NATIVE_NMETHOD17 };

/* Bytes of a blob's header that the symbolizer uses. */
static long blob_header_span(const struct kfr_hs_layout *l)
{
	long span = 0;

	span = span_to(span, l->cb_name, 8);
	span = span_to(span, l->cb_size, 4);
	span = span_to(span, l->cb_code_begin, 8);
	span = span_to(span, l->cb_code_offset, 4);
	span = span_to(span, l->cb_kind, 1);
	span = span_to(span, l->cb_mutable_data, 8);
	span = span_to(span, l->cb_relocation_size, 4);
	span = span_to(span, l->nm_method, 8);
	span = span_to(span, l->nm_compile_id, 4);
	span = span_to(span, l->nm_scopes_data_begin, 8);
	span = span_to(span, l->nm_scopes_data_offset, 4);
	span = span_to(span, l->nm_scopes_pcs_offset, 4);
	span = span_to(span, l->nm_dependencies_offset, 4);
	span = span_to(span, l->nm_metadata_offset, 4);
	span = span_to(span, l->nm_immutable_data, 8);
	if (l->cb_kind >= 0) { /* 25 generation */
		span = span_to(span, l->cb_mutable_data_size, 4);
		span = span_to(span, l->nm_immutable_data_size, 4);
	}
	return span;
}

/* Reads the header of a live blob (hdr: HDR_MAX bytes): the block before it says used; one read
 * for both. */
static bool blob_header(const struct kfr_hs_layout *l, uintptr_t blob, uint8_t *hdr)
{
	uint8_t buf[2 * HDR_MAX];
	long span = blob_header_span(l), block = l->heapblock_size;

	if (span <= 0 || span > HDR_MAX || block <= l->heapblock_used || block > HDR_MAX ||
	    !blob_at_block_start(l, blob) || !rd(buf, blob - (uintptr_t)block, (size_t)(block + span)) ||
	    buf[l->heapblock_used] != 1)
		return false;
	memcpy(hdr, buf + block, (size_t)span);
	return true;
}

/* 25: CodeBlob::_kind; 17: the _name literal ("nmethod", "native nmethod"). Anything else
 * (runtime stubs, adapters, buffer blobs...) is a stub. */
static enum blob_kind blob_kind(const struct kfr_hs_layout *l, const uint8_t *hdr)
{
	char name[16];

	if (l->cb_kind >= 0)
		return ld(hdr, l->cb_kind, 1) == 1 ? BLOB_NMETHOD : BLOB_OTHER;
	if (rd_cstr(ldp(hdr, l->cb_name), name, sizeof(name)) < 0)
		return BLOB_OTHER;
	if (!strcmp(name, "nmethod"))
		return BLOB_NMETHOD;
	if (!strcmp(name, "native nmethod"))
		return BLOB_NATIVE_NMETHOD17;
	return BLOB_OTHER;
}

int kfr_hs_nmethod_compile_id(const struct kfr_hs_layout *l, uintptr_t blob, uint32_t *compile_id)
{
	uint8_t hdr[HDR_MAX];

	if (!blob_header(l, blob, hdr) || blob_kind(l, hdr) == BLOB_OTHER)
		return -1;
	*compile_id = ld32(hdr, l->nm_compile_id);
	return 0;
}

/* Where an nmethod's debug information lives (nmethod.hpp of each generation). */
struct nm_info {
	uintptr_t code_begin;
	uintptr_t pcs, pcs_end;       /* PcDesc array */
	uintptr_t scopes, scopes_end; /* scope descriptors (decode offsets are relative to scopes) */
	uintptr_t meta;               /* metadata array: scope method index i -> entry i - 1 */
	uint32_t meta_count;
};

/* 17: metadata | scopes data | PcDescs | dependencies, inside the blob. */
static bool nm_info17(const struct kfr_hs_layout *l, uintptr_t blob, const uint8_t *hdr, struct nm_info *ni)
{
	uintptr_t end = blob + ld32(hdr, l->cb_size);

	ni->code_begin = ldp(hdr, l->cb_code_begin);
	ni->meta = blob + ld32(hdr, l->nm_metadata_offset);
	ni->scopes = ldp(hdr, l->nm_scopes_data_begin);
	ni->scopes_end = ni->pcs = blob + ld32(hdr, l->nm_scopes_pcs_offset);
	ni->pcs_end = blob + ld32(hdr, l->nm_dependencies_offset);
	if (ni->code_begin < blob || ni->code_begin >= end || ni->meta <= blob || ni->meta > ni->scopes ||
	    ni->scopes > ni->pcs || ni->pcs > ni->pcs_end || ni->pcs_end > end)
		return false;
	ni->meta_count = (uint32_t)((ni->scopes - ni->meta) / 8);
	return true;
}

/* 25: code in the blob; PcDescs and scopes in the (C heap) immutable data; metadata after the
 * relocations in the mutable data. */
static bool nm_info25(const struct kfr_hs_layout *l, uintptr_t blob, const uint8_t *hdr, struct nm_info *ni)
{
	uint32_t size = ld32(hdr, l->cb_size), code_off = ld32(hdr, l->cb_code_offset);
	uintptr_t imm = ldp(hdr, l->nm_immutable_data), mut = ldp(hdr, l->cb_mutable_data);
	uint32_t imm_size = ld32(hdr, l->nm_immutable_data_size), pcs_off = ld32(hdr, l->nm_scopes_pcs_offset);
	uint32_t scopes_off = ld32(hdr, l->nm_scopes_data_offset);
	uint32_t mut_size = ld32(hdr, l->cb_mutable_data_size), reloc = ld32(hdr, l->cb_relocation_size);

	if (code_off >= size || imm < 4096 || mut < 4096 || imm_size > DATA_MAX || pcs_off > scopes_off ||
	    scopes_off > imm_size || mut_size > DATA_MAX || reloc > mut_size)
		return false;
	ni->code_begin = blob + code_off;
	ni->pcs = imm + pcs_off;
	ni->pcs_end = ni->scopes = imm + scopes_off;
	ni->scopes_end = imm + imm_size;
	ni->meta = mut + reloc;
	ni->meta_count = (mut_size - reloc) / 8;
	return true;
}

/* The PcDesc at pc_offset (a return address: call sites are recorded exactly), or with near set,
 * the first one at or after it (an interrupted pc). A non-safepoint PcDesc sits at the end of the
 * instructions it describes, so a pc equal to its offset takes the instruction that just retired,
 * where a timer interrupt that waited for a long-latency instruction lands: JDK 25's JFR sampler
 * does the same (pc_desc_near(pc)); AsyncGetCallTrace looks from pc + 1 and names the inlined
 * method of a hot loop less often (docs/jdks.md). The array is sorted, with sentinels at both
 * ends. 1 if found (decode set), 0 if none, -1 if unreadable. */
static int pcdesc_find(const struct kfr_hs_layout *l, const struct nm_info *ni, int32_t pc_offset, bool near,
		       uint32_t *decode)
{
	uintptr_t bytes = ni->pcs_end - ni->pcs;
	long size = l->pcdesc_size;
	uint8_t d[64];

	if (size < 8 || size > (long)sizeof(d) || bytes % (uintptr_t)size || bytes / (uintptr_t)size > DATA_MAX)
		return -1;
	long after = -1; /* index of the first PcDesc with a pc_offset at or above pc_offset */
	for (long lo = 0, hi = (long)(bytes / (uintptr_t)size) - 1; lo <= hi;) {
		long mid = lo + (hi - lo) / 2;
		int32_t off;

		if (!rd(d, ni->pcs + (uintptr_t)(mid * size), (size_t)size))
			return -1;
		off = (int32_t)ld32(d, l->pcdesc_pc_offset);
		if (off == pc_offset && !near) {
			*decode = ld32(d, l->pcdesc_scope_decode_offset);
			return 1;
		}
		if (off < pc_offset) {
			lo = mid + 1;
		} else {
			after = mid;
			hi = mid - 1;
		}
	}
	if (!near || after < 0)
		return 0;
	if (!rd(d, ni->pcs + (uintptr_t)(after * size), (size_t)size))
		return -1;
	*decode = ld32(d, l->pcdesc_scope_decode_offset);
	return 1;
}

/* Scope chain of an exact PcDesc (ScopeDesc::decode_body), innermost first: each descriptor
 * starts with (sender offset, method index, bci + 1). A sender is always serialized before its
 * callee, so offsets strictly decrease: that bounds the loop. The outermost scope must be the
 * nmethod's own method (nm_method, validated as nm_mi). Returns the number of scopes or
 * -KFR_JS_ERR_*. */
static int scopes_expand(const struct kfr_hs_layout *l, const struct nm_info *ni, uint32_t decode,
			 uintptr_t nm_method, const struct method_info *nm_mi, struct kfr_hs_scope *out, int max)
{
	uintptr_t limit = ni->scopes_end - ni->scopes, mi_of = nm_method;
	struct method_info mi = *nm_mi; /* validation of mi_of: reused while scopes repeat a method */
	int n = 0;

	for (uint32_t off = decode; off; n++) {
		uint32_t sender, midx, bci1;
		uintptr_t m = 0;
		struct stream s;
		int err;

		if (off >= limit || n == max)
			return -KFR_JS_ERR_SCOPE;
		stream_init(&s, ni->scopes + off, ni->scopes_end);
		if (!stream_u5(&s, u5_base(l), &sender) || !stream_u5(&s, u5_base(l), &midx) ||
		    !stream_u5(&s, u5_base(l), &bci1))
			return -KFR_JS_ERR_SCOPE;
		if (!midx || midx > ni->meta_count || bci1 > 65536 ||
		    !rd(&m, ni->meta + 8 * (uintptr_t)(midx - 1), 8))
			return -KFR_JS_ERR_SCOPE;
		if (m != mi_of && (err = method_load(l, m, &mi)))
			return err == -KFR_JS_ERR_READ ? -KFR_JS_ERR_METHOD : err;
		mi_of = m;
		int32_t bci = (int32_t)bci1 - 1; /* InvocationEntryBci = -1 */
		if (bci >= (int32_t)mi.code_size && !mi.native)
			return -KFR_JS_ERR_SCOPE;
		scope_set(&out[n], m, &mi, bci, method_line(l, &mi, bci), KFR_JS_INLINED);
		limit = off;
		off = sender;
	}
	if (!n || out[n - 1].method != nm_method)
		return -KFR_JS_ERR_SCOPE;
	out[n - 1].type = KFR_JS_JIT; /* the physical method; the inner ones were inlined into it */
	return n;
}

/* ---- frames --------------------------------------------------------------------------- */

static int expand_interpreted(const struct kfr_hs_layout *l, const struct kfr_java_frame *f, struct kfr_hs_scope *out)
{
	uint32_t x = f->value & KFR_JF_XMASK;
	struct method_info mi;
	int err = method_load(l, (uintptr_t)f->ref, &mi);

	if (err)
		return err;
	if ((uint32_t)(mi.cm >> 3) != f->cookie)
		return -KFR_JS_ERR_METHOD; /* the Method* now belongs to another method */
	if (mi.native) {
		scope_set(out, (uintptr_t)f->ref, &mi, -1, -1, KFR_JS_NATIVE);
		return 1;
	}
	if (x == BCI_UNKNOWN) {
		scope_set(out, (uintptr_t)f->ref, &mi, -1, -1, KFR_JS_INTERPRETED);
		return 1;
	}
	if (x >= mi.code_size)
		return -KFR_JS_ERR_METHOD;
	scope_set(out, (uintptr_t)f->ref, &mi, (int32_t)x, method_line(l, &mi, (int32_t)x), KFR_JS_INTERPRETED);
	return 1;
}

/* The nmethod's own method as one scope, without position information. */
static int whole_nmethod(uintptr_t m, const struct method_info *mi, uint8_t type, struct kfr_hs_scope *out)
{
	scope_set(out, m, mi, -1, -1, type);
	out->approx = type == KFR_JS_JIT;
	return 1;
}

static int expand_compiled(const struct kfr_hs_layout *l, const struct kfr_java_frame *f, struct kfr_hs_scope *out,
			   int max)
{
	uintptr_t blob = (uintptr_t)f->ref, pc = blob + (f->value & KFR_JF_XMASK), m;
	uint8_t hdr[HDR_MAX];
	enum blob_kind kind;
	struct method_info mi;
	struct nm_info ni;
	uint32_t decode = 0;
	int found, err;

	if (!blob_header(l, blob, hdr))
		return -KFR_JS_ERR_STALE;
	kind = blob_kind(l, hdr);
	if (kind == BLOB_OTHER || ld32(hdr, l->nm_compile_id) != f->cookie)
		return -KFR_JS_ERR_STALE; /* freed and reused since the walk */
	m = ldp(hdr, l->nm_method);
	if ((err = method_load(l, m, &mi)))
		return err == -KFR_JS_ERR_READ ? -KFR_JS_ERR_METHOD : err;
	/* a native method's wrapper: 17 names it "native nmethod", 25 only has the method's flag */
	if (kind == BLOB_NATIVE_NMETHOD17 || mi.native)
		return whole_nmethod(m, &mi, KFR_JS_NATIVE, out);
	if (!(l->cb_kind >= 0 ? nm_info25(l, blob, hdr, &ni) : nm_info17(l, blob, hdr, &ni)))
		return -KFR_JS_ERR_SCOPE;
	if (pc < ni.code_begin || pc >= blob + ld32(hdr, l->cb_size))
		return -KFR_JS_ERR_SCOPE;
	bool interrupted = f->value >> KFR_JF_SHIFT == KFR_JF_COMPILED_PC;
	found = pcdesc_find(l, &ni, (int32_t)(pc - ni.code_begin), interrupted, &decode);
	if (found < 0)
		return -KFR_JS_ERR_SCOPE;
	if (!found || !decode) /* no debug info at this pc (e.g. a C1 slow-path stub call) */
		return whole_nmethod(m, &mi, KFR_JS_JIT, out);
	int n = scopes_expand(l, &ni, decode, m, &mi, out, max);
	for (int i = 0; interrupted && i < n; i++)
		out[i].approx = 1; /* the scopes of the debug-info point at or after the pc */
	return n;
}

static int expand_stub(const struct kfr_hs_layout *l, const struct kfr_java_frame *f, struct kfr_hs_scope *out)
{
	uint8_t hdr[HDR_MAX];

	if (!blob_header(l, (uintptr_t)f->ref, hdr) || blob_kind(l, hdr) != BLOB_OTHER)
		return -KFR_JS_ERR_STALE;
	scope_set(out, 0, NULL, -1, -1, KFR_JS_STUB);
	return 1;
}

int kfr_hs_expand(const struct kfr_hs_layout *l, const struct kfr_java_frame *f, struct kfr_hs_scope *out, int max)
{
	if (!l || !f || !out || max < 1)
		return -KFR_JS_ERR_KIND;
	switch (f->value >> KFR_JF_SHIFT) {
	case KFR_JF_INTERPRETED:
		return expand_interpreted(l, f, out);
	case KFR_JF_COMPILED:
	case KFR_JF_COMPILED_PC:
		return expand_compiled(l, f, out, max);
	case KFR_JF_STUB:
		return expand_stub(l, f, out);
	default:
		return -KFR_JS_ERR_KIND;
	}
}

/* ---- debug points of interrupted pcs ------------------------------------------------------ */

#define PCDESCS_MAX (1u << 16) /* larger tables are searched in the JVM's memory every time */

/* The PcDesc table of a live nmethod (hdr read by blob_header), read once. */
static const struct kfr_pcd_entry *pcd_load(const struct kfr_hs_layout *l, uintptr_t blob, const uint8_t *hdr,
					     enum blob_kind kind, uint32_t compile_id)
{
	static int32_t pc_offset[PCDESCS_MAX];
	static uint32_t decode[PCDESCS_MAX];
	uint8_t chunk[4096];
	struct kfr_pcd_entry e = { .blob = blob, .compile_id = compile_id, .blob_size = ld32(hdr, l->cb_size),
				   .name = ldp(hdr, l->cb_name) };
	struct method_info mi;
	struct nm_info ni;
	long size = l->pcdesc_size;

	if (method_load(l, ldp(hdr, l->nm_method), &mi))
		return NULL;
	if (kind == BLOB_NATIVE_NMETHOD17 || mi.native) {
		e.whole = true;
		return kfr_pcd_put(&e) ? kfr_pcd_get(blob, compile_id) : NULL;
	}
	if (!(l->cb_kind >= 0 ? nm_info25(l, blob, hdr, &ni) : nm_info17(l, blob, hdr, &ni)) ||
	    ni.code_begin - blob > UINT32_MAX || size < 8 || size > (long)sizeof(chunk))
		return NULL;
	uintptr_t bytes = ni.pcs_end - ni.pcs;
	if (bytes % (uintptr_t)size || bytes / (uintptr_t)size > PCDESCS_MAX)
		return NULL;
	e.code_begin_off = (uint32_t)(ni.code_begin - blob);
	e.n = (uint32_t)(bytes / (uintptr_t)size);
	e.pc_offset = pc_offset;
	e.decode = decode;
	for (uint32_t i = 0, per = (uint32_t)(sizeof(chunk) / (size_t)size); i < e.n; i += per) {
		uint32_t k = e.n - i < per ? e.n - i : per;

		if (!rd(chunk, ni.pcs + (uintptr_t)i * (uintptr_t)size, (size_t)k * (size_t)size))
			return NULL;
		for (uint32_t j = 0; j < k; j++) {
			pc_offset[i + j] = (int32_t)ld32(chunk + (long)j * size, l->pcdesc_pc_offset);
			decode[i + j] = ld32(chunk + (long)j * size, l->pcdesc_scope_decode_offset);
		}
	}
	for (uint32_t i = 1; i < e.n; i++)
		if (pc_offset[i] < pc_offset[i - 1])
			return NULL; /* not a sorted table: leave it to the uncached path */
	return kfr_pcd_put(&e) ? kfr_pcd_get(blob, compile_id) : NULL;
}

int kfr_hs_debug_point(const struct kfr_hs_layout *l, const struct kfr_java_frame *f, uint32_t *point)
{
	uintptr_t blob = (uintptr_t)f->ref, pc = blob + (f->value & KFR_JF_XMASK);
	uint8_t hdr[HDR_MAX];
	const struct kfr_pcd_entry *e;
	enum blob_kind kind;

	if (!l || !f || !point || f->value >> KFR_JF_SHIFT != KFR_JF_COMPILED_PC)
		return -KFR_JS_ERR_KIND;
	if (!blob_header(l, blob, hdr))
		return -KFR_JS_ERR_STALE;
	if (ld32(hdr, l->nm_compile_id) != f->cookie)
		return -KFR_JS_ERR_STALE;
	/* a known nmethod's kind is known: on 17 the _name literal it was told by is the same one */
	e = kfr_pcd_get(blob, f->cookie);
	if (e && (l->cb_kind >= 0 ? ld(hdr, l->cb_kind, 1) != 1 : ldp(hdr, l->cb_name) != e->name))
		e = NULL;
	if (!e) {
		kind = blob_kind(l, hdr);
		if (kind == BLOB_OTHER)
			return -KFR_JS_ERR_STALE;
		if (!(e = pcd_load(l, blob, hdr, kind, f->cookie)))
			return -KFR_JS_ERR_SCOPE;
	}
	if (e->whole) {
		*point = 0;
		return 0;
	}
	if (pc < blob + e->code_begin_off || pc >= blob + e->blob_size)
		return -KFR_JS_ERR_SCOPE;
	*point = kfr_pcd_near_decode(e, (int32_t)(pc - blob - e->code_begin_off));
	return 0;
}

void kfr_hs_debug_points_clear(void)
{
	kfr_pcd_clear();
}

/* ---- names ---------------------------------------------------------------------------- */

/* Symbols are the one part of a method's metadata that lives outside its class's metaspace: they
 * are reference counted and freed (C heap) when the last class using them is unloaded, while the
 * unloaded class's Method, ConstMethod and ConstantPool can stay intact in freed metaspace. A
 * frame captured before its class was unloaded then passes every structural check above and
 * reaches a freed Symbol [seen in the harness's unloading test: ~32 KB "names" of malloc free-list
 * bytes]. So a symbol is only used if it is plausible: a live reference count, valid modified
 * UTF-8, and the JVMS syntax of its role (which the class file parser enforces). A symbol freed and
 * reused for another Symbol cannot be told apart here. */

/* Symbol::_hash_and_refcount (u4 @0 on 17 and 25, VMStructs): reference count in the low half. */
#define SYM_REFCOUNT_WORD 0
#define SYM_REFCOUNT_MASK 0xffffu

enum sym_role { SYM_CLASS, SYM_METHOD, SYM_DESCRIPTOR };

/* Length (1..3) of the modified UTF-8 sequence at s (avail bytes), 0 if invalid: no NUL byte
 * (it is C0 80), no overlong forms, no 4-byte forms (supplementary characters are surrogate
 * pairs of 3-byte sequences). */
static int mutf8_len(const uint8_t *s, size_t avail)
{
	uint8_t c = s[0];

	if (c >= 0x01 && c <= 0x7f)
		return 1;
	if ((c & 0xe0) == 0xc0) {
		if (avail < 2 || (s[1] & 0xc0) != 0x80 || (c < 0xc2 && !(c == 0xc0 && s[1] == 0x80)))
			return 0;
		return 2;
	}
	if ((c & 0xf0) == 0xe0) {
		if (avail < 3 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 || (c == 0xe0 && s[1] < 0xa0))
			return 0;
		return 3;
	}
	return 0;
}

/* buf[0..*n) is valid modified UTF-8 (what NewStringUTF takes). When the symbol was cut
 * (cut = true) an incomplete last sequence is dropped (*n shrinks). */
static bool mutf8_valid(const char *buf, size_t *n, bool cut)
{
	const uint8_t *s = (const uint8_t *)buf;

	for (size_t i = 0; i < *n;) {
		int k = mutf8_len(s + i, *n - i);

		if (k) {
			i += (size_t)k;
			continue;
		}
		if (cut && *n - i < 3 && s[i] >= 0xc0 && s[i] < 0xf0) {
			*n = i;
			return true;
		}
		return false;
	}
	return true;
}

/* JVMS 4.2.1 class name in internal form ('/'-separated, non-empty parts, no '.', ';', '['),
 * s[0..n) possibly a prefix (cut). */
static bool legal_class_name(const char *s, size_t n, bool cut)
{
	if (!n)
		return cut;
	if (s[0] == '/' || (!cut && s[n - 1] == '/'))
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] == '.' || s[i] == ';' || s[i] == '[' || (s[i] == '/' && i + 1 < n && s[i + 1] == '/'))
			return false;
	return true;
}

/* JVMS 4.2.2 unqualified method name: no '.', ';', '[', '/', and '<' '>' only in <init>, <clinit>. */
static bool legal_method_name(const char *s, size_t n, bool cut)
{
	if (!n)
		return cut;
	if (s[0] == '<')
		return cut ? !strncmp(s, "<clinit>", n) || !strncmp(s, "<init>", n)
			   : (n == 6 && !memcmp(s, "<init>", 6)) || (n == 8 && !memcmp(s, "<clinit>", 8));
	for (size_t i = 0; i < n; i++)
		if (s[i] == '.' || s[i] == ';' || s[i] == '[' || s[i] == '/' || s[i] == '<' || s[i] == '>')
			return false;
	return true;
}

/* One field type (JVMS 4.3.2) at s[*i]: 1 ok, 0 malformed, -1 the input ended inside it. */
static int field_type(const char *s, size_t n, size_t *i)
{
	int dims = 0;
	size_t start;

	for (; *i < n && s[*i] == '['; (*i)++)
		if (++dims > 255)
			return 0;
	if (*i == n)
		return -1;
	switch (s[(*i)++]) {
	case 'B': case 'C': case 'D': case 'F': case 'I': case 'J': case 'S': case 'Z':
		return 1;
	case 'L':
		start = *i;
		while (*i < n && s[*i] != ';')
			(*i)++;
		if (*i == n)
			return legal_class_name(s + start, n - start, true) ? -1 : 0;
		if (!legal_class_name(s + start, *i - start, false))
			return 0;
		(*i)++;
		return 1;
	default:
		return 0;
	}
}

/* JVMS 4.3.3 method descriptor "(" FieldType* ")" (FieldType | "V"), or a prefix of one (cut). */
static bool legal_descriptor(const char *s, size_t n, bool cut)
{
	size_t i = 1;
	int r;

	if (!n)
		return cut;
	if (s[0] != '(')
		return false;
	while (i < n && s[i] != ')')
		if ((r = field_type(s, n, &i)) <= 0)
			return r < 0 && cut;
	if (i == n)
		return cut;
	if (++i == n)
		return cut;
	if (s[i] == 'V')
		return i + 1 == n;
	r = field_type(s, n, &i);
	return r > 0 ? i == n : r < 0 && cut;
}

/* Copies a Symbol into out (cut to cap - 1 bytes at a character boundary) if it passes the
 * checks above for its role. 0 or -KFR_JS_ERR_*. */
static int symbol_copy(const struct kfr_hs_layout *l, uintptr_t sym, enum sym_role role, char *out, size_t cap)
{
	uint8_t hdr[16];
	long span = span_to(span_to(0, SYM_REFCOUNT_WORD, 4), l->sym_length, 2);
	uint32_t refs;
	uint16_t len;
	size_t n;
	bool cut, ok;

	out[0] = 0;
	if (span > (long)sizeof(hdr) || !rd(hdr, sym, (size_t)span))
		return -KFR_JS_ERR_READ;
	refs = ld32(hdr, SYM_REFCOUNT_WORD) & SYM_REFCOUNT_MASK;
	len = (uint16_t)ld(hdr, l->sym_length, 2);
	if (!refs || !len)
		return -KFR_JS_ERR_METHOD; /* dead symbol; no class, method or descriptor is empty */
	n = len < cap - 1 ? len : cap - 1;
	cut = n < len;
	if (!rd(out, sym + (uintptr_t)l->sym_body, n))
		return -KFR_JS_ERR_READ;
	ok = mutf8_valid(out, &n, cut);
	if (ok)
		ok = role == SYM_CLASS ? legal_class_name(out, n, cut)
		     : role == SYM_METHOD ? legal_method_name(out, n, cut)
					  : legal_descriptor(out, n, cut);
	out[ok ? n : 0] = 0;
	return ok ? 0 : -KFR_JS_ERR_METHOD;
}

/* Internal class name -> the name Java shows (Klass::external_name): '/' -> '.', and a hidden
 * class's "+0x<hex>" suffix (ClassFileParser::mangle_hidden_class_name) -> "/0x<hex>". */
static void class_external_name(char *s)
{
	char *plus = NULL;

	for (char *c = s; *c; c++) {
		if (*c == '/')
			*c = '.';
		else if (*c == '+')
			plus = c;
	}
	if (!plus || plus[1] != '0' || plus[2] != 'x' || !plus[3])
		return;
	for (char *c = plus + 3; *c; c++)
		if (!((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'f') || (*c >= 'A' && *c <= 'F')))
			return;
	*plus = '/';
}

int kfr_hs_method_names(const struct kfr_hs_layout *l, uintptr_t method, char *klass, size_t kcap, char *name,
			size_t ncap, char *signature, size_t scap)
{
	struct method_info mi;
	int err;

	if (!l || !klass || !name || !signature || !kcap || !ncap || !scap)
		return -KFR_JS_ERR_READ;
	klass[0] = name[0] = signature[0] = 0;
	if ((err = method_load(l, method, &mi)) || (err = symbol_copy(l, mi.klass_sym, SYM_CLASS, klass, kcap)) ||
	    (err = symbol_copy(l, mi.name_sym, SYM_METHOD, name, ncap)) ||
	    (err = symbol_copy(l, mi.sig_sym, SYM_DESCRIPTOR, signature, scap))) {
		klass[0] = name[0] = signature[0] = 0;
		return err;
	}
	class_external_name(klass);
	return 0;
}

int kfr_hs_blob_name(const struct kfr_hs_layout *l, uintptr_t blob, char *out, size_t cap)
{
	uint8_t hdr[HDR_MAX];

	if (!l || !out || !cap)
		return -KFR_JS_ERR_READ;
	out[0] = 0;
	if (!blob_header(l, blob, hdr))
		return -KFR_JS_ERR_STALE;
	if (rd_cstr(ldp(hdr, l->cb_name), out, cap) <= 0) {
		out[0] = 0;
		return -KFR_JS_ERR_READ;
	}
	return 0;
}
