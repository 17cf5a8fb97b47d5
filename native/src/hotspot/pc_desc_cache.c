/* Per-nmethod PcDesc tables (pc_desc_cache.h). */
#include <stdlib.h>
#include <string.h>

#include "hotspot/pc_desc_cache.h"

#define SLOTS      4096              /* direct-mapped: a colliding nmethod replaces the older one */
#define BYTES_MAX  (16u << 20)       /* all tables together; past it everything is dropped */

static struct kfr_pcd_entry slots[SLOTS];
static size_t bytes;

static unsigned slot_of(uintptr_t blob, uint32_t compile_id)
{
	uint64_t h = ((uint64_t)blob >> 4) * 0x9e3779b97f4a7c15ull ^ compile_id * 0xc2b2ae3d27d4eb4full;

	return (unsigned)(h >> 40) % SLOTS;
}

static void drop(struct kfr_pcd_entry *e)
{
	if (e->pc_offset)
		bytes -= (size_t)e->n * (sizeof(*e->pc_offset) + sizeof(*e->decode));
	free(e->pc_offset);
	free(e->decode);
	memset(e, 0, sizeof(*e));
}

const struct kfr_pcd_entry *kfr_pcd_get(uintptr_t blob, uint32_t compile_id)
{
	const struct kfr_pcd_entry *e = &slots[slot_of(blob, compile_id)];

	return e->blob == blob && e->compile_id == compile_id && blob ? e : NULL;
}

bool kfr_pcd_put(const struct kfr_pcd_entry *src)
{
	struct kfr_pcd_entry *e = &slots[slot_of(src->blob, src->compile_id)];
	size_t need = (size_t)src->n * (sizeof(*src->pc_offset) + sizeof(*src->decode));

	if (!src->blob || need > BYTES_MAX)
		return false;
	drop(e);
	if (bytes + need > BYTES_MAX)
		kfr_pcd_clear();
	*e = *src;
	e->pc_offset = NULL;
	e->decode = NULL;
	e->n = 0;
	if (src->n) {
		e->pc_offset = malloc((size_t)src->n * sizeof(*e->pc_offset));
		e->decode = malloc((size_t)src->n * sizeof(*e->decode));
		if (!e->pc_offset || !e->decode) {
			free(e->pc_offset);
			free(e->decode);
			memset(e, 0, sizeof(*e));
			return false;
		}
		memcpy(e->pc_offset, src->pc_offset, (size_t)src->n * sizeof(*e->pc_offset));
		memcpy(e->decode, src->decode, (size_t)src->n * sizeof(*e->decode));
		e->n = src->n;
		bytes += need;
	}
	return true;
}

uint32_t kfr_pcd_near_decode(const struct kfr_pcd_entry *e, int32_t pc_offset)
{
	uint32_t lo = 0, hi = e->n; /* first index whose pc offset is at or above pc_offset */

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (e->pc_offset[mid] < pc_offset)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < e->n ? e->decode[lo] : 0;
}

void kfr_pcd_clear(void)
{
	for (unsigned i = 0; i < SLOTS; i++)
		drop(&slots[i]);
	bytes = 0;
}
