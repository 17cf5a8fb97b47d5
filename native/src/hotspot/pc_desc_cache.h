/* The debug-information points (PcDescs) of nmethods already named, kept in this process so that a
 * new interrupted pc in a known nmethod is mapped to its debug point by a binary search in memory
 * instead of reads of the JVM's memory (kfr_hs_debug_point). An entry is keyed by (CodeBlob*,
 * compile id): compile ids are never reused, and the PcDescs of an nmethod never change while it
 * lives; the caller still checks that the blob is live and has that compile id before using one.
 * Bounded (direct-mapped slots, a byte budget); not thread-safe (callers hold the layout lock). */
#ifndef KFR_HOTSPOT_PC_DESC_CACHE_H
#define KFR_HOTSPOT_PC_DESC_CACHE_H

#include <stdbool.h>
#include <stdint.h>

struct kfr_pcd_entry {
	uintptr_t blob;
	uint32_t compile_id;
	uintptr_t name;          /* CodeBlob::_name it had (JDK 17 tells an nmethod by it) */
	bool whole;              /* named as one scope whatever the pc (a native method's wrapper) */
	uint32_t code_begin_off; /* code_begin - blob */
	uint32_t blob_size;      /* pcs at or above blob + blob_size are outside it */
	uint32_t n;              /* PcDescs, sorted by pc offset */
	int32_t *pc_offset;
	uint32_t *decode;        /* scope decode offset of each */
};

/* The entry of (blob, compile_id), or NULL. */
const struct kfr_pcd_entry *kfr_pcd_get(uintptr_t blob, uint32_t compile_id);

/* Stores an entry (its arrays are copied); false if it does not fit the budget. */
bool kfr_pcd_put(const struct kfr_pcd_entry *e);

/* The decode offset of the first PcDesc at or above pc_offset (what names an interrupted pc, as
 * HotSpot's pc_desc_near: see pcdesc_find in hotspot_symbols.c), 0 if none. */
uint32_t kfr_pcd_near_decode(const struct kfr_pcd_entry *e, int32_t pc_offset);

/* Forgets every entry. */
void kfr_pcd_clear(void);

#endif
