/* See pt_image_timed.h. */
#include "pt/pt_image_timed.h"

#include <stdlib.h>
#include <string.h>

#include "pt/pt_image.h"

struct timed_entry {
	uint64_t address, size;
	uint64_t from, until; /* a version: valid for [from, until); a change: at `from`, until 0 */
	uint8_t *bytes;       /* NULL for a change */
};

/*
 * The entries, and an index for the decoder's read of every instruction: the entries' ends cut the
 * address space into pieces that no entry starts or ends inside; each piece lists the entries
 * covering it. A read finds its piece by binary search, and reads come in runs, so the last piece
 * is tried first.
 */
struct kfr_pt_timed {
	struct timed_entry *e;
	size_t n, cap;
	int dirty;
	uint64_t *bounds;  /* sorted, distinct; piece k is [bounds[k], bounds[k + 1]) */
	size_t nbounds;
	size_t *first;     /* piece k's entries are members[first[k] .. first[k + 1]) */
	size_t *members;
	size_t last;
};

static struct kfr_pt_timed *timed_of(struct kfr_pt_image *img)
{
	if (!img->timed)
		img->timed = calloc(1, sizeof(struct kfr_pt_timed));
	return img->timed;
}

static int add(struct kfr_pt_image *img, const struct timed_entry *entry)
{
	struct kfr_pt_timed *t = timed_of(img);

	if (!t || entry->size == 0 || entry->address + entry->size < entry->address)
		return -1;
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 256;
		struct timed_entry *e = realloc(t->e, cap * sizeof(*e));

		if (!e)
			return -1;
		t->e = e;
		t->cap = cap;
	}
	t->e[t->n++] = *entry;
	t->dirty = 1;
	return 0;
}

int kfr_pt_image_add_version(struct kfr_pt_image *img, uint64_t address, const void *bytes, uint64_t size,
			     uint64_t from_tsc, uint64_t until_tsc)
{
	uint8_t *copy = size ? malloc(size) : NULL;

	if (!copy)
		return -1;
	memcpy(copy, bytes, size);
	struct timed_entry e = {address, size, from_tsc, until_tsc, copy};

	if (add(img, &e)) {
		free(copy);
		return -1;
	}
	img->copied_bytes += size;
	return 0;
}

int kfr_pt_image_add_change(struct kfr_pt_image *img, uint64_t address, uint64_t size, uint64_t tsc)
{
	struct timed_entry e = {address, size, tsc, 0, NULL};

	return add(img, &e);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The piece holding ip: the last bound <= ip; nbounds when ip is before the first or at/after the last. */
static size_t piece_of(const struct kfr_pt_timed *t, uint64_t ip)
{
	if (t->nbounds < 2 || ip < t->bounds[0] || ip >= t->bounds[t->nbounds - 1])
		return t->nbounds;
	size_t lo = 0, hi = t->nbounds - 1; /* bounds[lo] <= ip < bounds[hi] */

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->bounds[mid] <= ip)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

static void drop_index(struct kfr_pt_timed *t)
{
	free(t->bounds);
	free(t->first);
	free(t->members);
	t->bounds = NULL;
	t->first = t->members = NULL;
	t->nbounds = 0;
}

static int build(struct kfr_pt_timed *t)
{
	drop_index(t);
	t->bounds = malloc(2 * t->n * sizeof(uint64_t));
	if (!t->bounds)
		return -1;
	for (size_t i = 0; i < t->n; i++) {
		t->bounds[2 * i] = t->e[i].address;
		t->bounds[2 * i + 1] = t->e[i].address + t->e[i].size;
	}
	qsort(t->bounds, 2 * t->n, sizeof(uint64_t), cmp_u64);
	size_t m = 0;

	for (size_t i = 0; i < 2 * t->n; i++)
		if (m == 0 || t->bounds[m - 1] != t->bounds[i])
			t->bounds[m++] = t->bounds[i];
	t->nbounds = m;
	t->first = calloc(m + 1, sizeof(size_t));
	if (!t->first)
		return -1;
	/* counts, then offsets, then the members: an entry is in every piece from its start to its end */
	for (size_t i = 0; i < t->n; i++) {
		size_t k = piece_of(t, t->e[i].address);

		for (; k < m - 1 && t->bounds[k] < t->e[i].address + t->e[i].size; k++)
			t->first[k + 1]++;
	}
	for (size_t k = 0; k < m; k++)
		t->first[k + 1] += t->first[k];
	t->members = malloc((t->first[m] ? t->first[m] : 1) * sizeof(size_t));
	size_t *fill = calloc(m, sizeof(size_t));

	if (!t->members || !fill) {
		free(fill);
		return -1;
	}
	for (size_t i = 0; i < t->n; i++) {
		size_t k = piece_of(t, t->e[i].address);

		for (; k < m - 1 && t->bounds[k] < t->e[i].address + t->e[i].size; k++)
			t->members[t->first[k] + fill[k]++] = i;
	}
	free(fill);
	t->last = m;
	t->dirty = 0;
	return 0;
}

enum kfr_pt_timed_answer kfr_pt_timed_lookup(struct kfr_pt_image *img, uint64_t ip, const uint8_t **bytes,
					     uint64_t *avail)
{
	struct kfr_pt_timed *t = img->timed;

	if (!t || !t->n || (t->dirty && build(t)))
		return KFR_PT_TIMED_NONE;
	size_t k = t->last;

	if (!(k + 1 < t->nbounds && t->bounds[k] <= ip && ip < t->bounds[k + 1])) {
		k = piece_of(t, ip);
		if (k >= t->nbounds)
			return KFR_PT_TIMED_NONE;
		t->last = k;
	}
	if (t->first[k] == t->first[k + 1])
		return KFR_PT_TIMED_NONE;
	uint64_t tsc = 0;
	int has_time = img->trace_time && img->trace_time(img->trace_time_ctx, &tsc) == 0 && tsc != 0;
	const struct timed_entry *best = NULL;
	int changed = 0;

	for (size_t j = t->first[k]; j < t->first[k + 1]; j++) {
		const struct timed_entry *e = &t->e[t->members[j]];

		if (e->bytes) {
			/* versions at one address follow each other: the one of time tsc is the first to
			 * end after it (a version whose load time is unknown reaches back to 0). Without
			 * time, the newest. */
			int valid = has_time ? e->from <= tsc && tsc < e->until : 1;

			if (valid && (!best || (has_time ? e->until < best->until : e->until > best->until)))
				best = e;
		} else if (has_time && e->from > tsc) {
			changed = 1;
		}
	}
	*bytes = NULL;
	*avail = 0;
	if (best) {
		*bytes = best->bytes + (ip - best->address);
		*avail = best->size - (ip - best->address);
	}
	if (!has_time)
		return KFR_PT_TIMED_UNTIMED;
	if (best)
		return KFR_PT_TIMED_COPY;
	return changed ? KFR_PT_TIMED_CHANGED : KFR_PT_TIMED_NONE;
}

void kfr_pt_timed_free(struct kfr_pt_image *img)
{
	struct kfr_pt_timed *t = img->timed;

	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++)
		free(t->e[i].bytes);
	free(t->e);
	drop_index(t);
	free(t);
	img->timed = NULL;
}
