#include "hotspot/code_cache.h"

#include "common/safe_read.h"
#include "hotspot/hotspot_symbols.h"

/* As jw_find_blob (hotspot_walk.bpf.h): each segment-map byte is 0 at a block's first segment,
 * 0xff for a free segment, else how many segments to step back towards the block's start. */
#define SEGMAP_HOPS 64

uintptr_t kfr_hs_find_blob(const struct kfr_hs_layout *l, uintptr_t pc)
{
	for (int i = 0; i < l->nheaps; i++) {
		const struct kfr_hs_heap *h = &l->heaps[i];

		if (pc < h->low || pc >= h->high)
			continue;
		uintptr_t idx = (pc - h->low) >> h->log2_segment;
		for (int hop = 0; hop < SEGMAP_HOPS; hop++) {
			uint8_t tag, used;

			if (kfr_safe_u8(h->segmap + idx, &tag) || tag == 0xff)
				return 0;
			if (tag == 0) {
				uintptr_t block = h->low + (idx << h->log2_segment);

				if (kfr_safe_u8(block + (uintptr_t)l->heapblock_used, &used) || !used)
					return 0;
				return block + (uintptr_t)l->heapblock_size;
			}
			if (tag > idx)
				return 0;
			idx -= tag;
		}
		return 0;
	}
	return 0;
}

int kfr_hs_pc_frame(const struct kfr_hs_layout *l, uintptr_t pc, struct kfr_java_frame *f)
{
	uintptr_t blob = kfr_hs_find_blob(l, pc);
	uint32_t compile_id;

	if (!blob || pc - blob > KFR_JF_XMASK || kfr_hs_nmethod_compile_id(l, blob, &compile_id))
		return -1;
	f->ref = blob;
	f->value = (uint32_t)KFR_JF_COMPILED_PC << KFR_JF_SHIFT | (uint32_t)(pc - blob);
	f->cookie = compile_id;
	return 0;
}
