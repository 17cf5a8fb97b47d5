#include <stdio.h>
#include <string.h>

#include "hotspot/hotspot_walk_cfg.h"

/* Every field the walker reads must lie in the first JW_BLOB_MIN bytes of a blob (hotspot_walk.bpf.h). */
#define BLOB_HDR 384

int kfr_hs_walk_cfg(const struct kfr_hs_layout *l, struct kfr_walk_cfg *c, char *why, size_t whycap)
{
	memset(c, 0, sizeof(*c));
	/* interpreter frame slots the walker reads as one block from fp - 64 */
	if (l->interp_method_words != -3 || l->interp_bcp_words != -8 || l->interp_sender_sp_words != -1) {
		snprintf(why, whycap, "unexpected interpreter frame layout");
		return -1;
	}
	long blob_fields[] = { l->cb_name, l->cb_frame_size, l->blob_offsets ? l->cb_kind : 0, l->nm_compile_id,
			       l->nm_deopt_handler, l->nm_orig_pc_offset, l->cb_frame_complete,
			       l->blob_offsets ? l->cb_code_offset : l->cb_code_begin };
	for (size_t i = 0; i < sizeof(blob_fields) / sizeof(blob_fields[0]); i++) {
		if (blob_fields[i] < 0 || blob_fields[i] + 8 > BLOB_HDR) {
			snprintf(why, whycap, "code blob field at offset %ld is outside the walker's %d-byte header",
				 blob_fields[i], BLOB_HDR);
			return -1;
		}
	}
	if (l->anchor_sp != 0 || l->anchor_pc != 8 || l->anchor_fp != 16) {
		snprintf(why, whycap, "unexpected JavaFrameAnchor layout");
		return -1;
	}
	c->interp_low = l->interp_low;
	c->interp_high = l->interp_high;
	c->call_stub_return = l->call_stub_return;
	c->code_low = l->code_low;
	c->code_high = l->code_high;
	for (int i = 0; i < l->nheaps && i < KFR_WALK_MAX_HEAPS; i++) {
		c->heap_low[i] = l->heaps[i].low;
		c->heap_high[i] = l->heaps[i].high;
		c->heap_segmap[i] = l->heaps[i].segmap;
		c->heap_log2[i] = l->heaps[i].log2_segment;
	}
	c->nheaps = (__u32)l->nheaps;
	c->enabled = 1;
	c->gen25 = l->blob_offsets;
	c->hb_size = (__u32)l->heapblock_size;
	c->hb_used = (__u32)l->heapblock_used;
	c->cb_name = (__u32)l->cb_name;
	c->cb_frame_size = (__u32)l->cb_frame_size;
	c->cb_kind = l->cb_kind >= 0 ? (__u32)l->cb_kind : 0;
	c->nm_compile_id = (__u32)l->nm_compile_id;
	c->nm_deopt_handler = (__u32)l->nm_deopt_handler;
	c->nm_orig_pc_offset = (__u32)l->nm_orig_pc_offset;
	c->jcw_anchor = (__u32)l->jcw_anchor;
	c->entry_cw_words = l->entry_cw_words;
	c->m_const_method = (__u32)l->m_const_method;
	c->cm_sizeof = (__u32)l->cm_sizeof;
	c->anchor_sp = (__u32)l->anchor_sp;
	c->anchor_pc = (__u32)l->anchor_pc;
	c->anchor_fp = (__u32)l->anchor_fp;
	c->cb_code_begin = l->cb_code_begin > 0 ? (__u32)l->cb_code_begin : 0;
	c->cb_code_offset = l->cb_code_offset > 0 ? (__u32)l->cb_code_offset : 0;
	c->cb_frame_complete = (__u32)l->cb_frame_complete;
	c->cb_frame_complete_size = (__u32)l->cb_frame_complete_size;
	return 0;
}
