/* See pt_image.h. */
#define _GNU_SOURCE
#include "pt/pt_image.h"
#include "pt/pt_image_timed.h"

#include <intel-pt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

/* A JVM's committed code heap is tens of MB; beyond this a copy is refused rather than exhaust memory. */
#define KFR_PT_MAX_COPY (1ULL << 30)
/* File sections kept mapped (address space; pages come from the page cache as the decoder reads). */
#define KFR_PT_ISCACHE_LIMIT (512ULL << 20)

static int read_copies(struct kfr_pt_image *img, uint8_t *buffer, size_t size, uint64_t ip)
{
	if (img->last_hit < img->ncode) {
		struct kfr_pt_code *c = &img->code[img->last_hit];

		/* valid only while no copies overlap: otherwise the newest copy of an address wins */
		if (!img->overlapping && ip >= c->address && ip - c->address < c->size) {
			uint64_t n = c->size - (ip - c->address);

			n = n < size ? n : size;
			memcpy(buffer, c->bytes + (ip - c->address), n);
			return (int)n;
		}
	}
	for (size_t i = img->ncode; i-- > 0;) {
		struct kfr_pt_code *c = &img->code[i];

		if (ip >= c->address && ip - c->address < c->size) {
			uint64_t n = c->size - (ip - c->address);

			n = n < size ? n : size;
			memcpy(buffer, c->bytes + (ip - c->address), n);
			img->last_hit = i;
			return (int)n;
		}
	}
	return -pte_nomap;
}

static int read_version(uint8_t *buffer, size_t size, const uint8_t *bytes, uint64_t avail)
{
	uint64_t n = avail < size ? avail : size;

	memcpy(buffer, bytes, n);
	return (int)n;
}

/*
 * Timed code first: at a trace time it knows, a version of then wins over the snapshot's copy, and
 * a change after then refuses the read (the decoder counts it: "code changed after trace"), so
 * that no instruction is decoded from bytes the trace did not run. Without time, the snapshot's
 * copies, then the newest version where they have nothing.
 */
static int read_code(uint8_t *buffer, size_t size, const struct pt_asid *asid, uint64_t ip, void *context)
{
	struct kfr_pt_image *img = context;
	const uint8_t *bytes;
	uint64_t avail;
	int n;

	(void)asid;
	if (!img->timed)
		return read_copies(img, buffer, size, ip);
	switch (kfr_pt_timed_lookup(img, ip, &bytes, &avail)) {
	case KFR_PT_TIMED_COPY:
		return read_version(buffer, size, bytes, avail);
	case KFR_PT_TIMED_CHANGED:
		img->refused = 1;
		return -pte_nomap;
	case KFR_PT_TIMED_UNTIMED:
		n = read_copies(img, buffer, size, ip);
		return n < 0 && bytes ? read_version(buffer, size, bytes, avail) : n;
	default:
		return read_copies(img, buffer, size, ip);
	}
}

struct kfr_pt_image *kfr_pt_image_new(void)
{
	struct kfr_pt_image *img = calloc(1, sizeof(*img));

	if (!img)
		return NULL;
	img->image = pt_image_alloc("kfr");
	img->iscache = pt_iscache_alloc("kfr");
	if (!img->image || !img->iscache || pt_iscache_set_limit(img->iscache, KFR_PT_ISCACHE_LIMIT) < 0) {
		pt_image_free(img->image);
		pt_iscache_free(img->iscache);
		free(img);
		return NULL;
	}
	img->last_hit = (size_t)-1;
	pt_image_set_callback(img->image, read_code, img);
	return img;
}

void kfr_pt_image_free(struct kfr_pt_image *img)
{
	if (!img)
		return;
	pt_image_free(img->image); /* before the cache its sections come from */
	pt_iscache_free(img->iscache);
	kfr_pt_timed_free(img);
	for (size_t i = 0; i < img->ncode; i++)
		free(img->code[i].bytes);
	free(img->code);
	free(img);
}

/* Takes ownership of `bytes` on success. */
static int add_owned(struct kfr_pt_image *img, uint64_t address, uint8_t *bytes, uint64_t size, const char *name)
{
	if (img->ncode == img->capcode) {
		size_t cap = img->capcode ? img->capcode * 2 : 16;
		struct kfr_pt_code *c = realloc(img->code, cap * sizeof(*c));

		if (!c)
			return -1;
		img->code = c;
		img->capcode = cap;
	}
	for (size_t i = 0; i < img->ncode && !img->overlapping; i++)
		img->overlapping = address < img->code[i].address + img->code[i].size &&
				   img->code[i].address < address + size;
	struct kfr_pt_code *c = &img->code[img->ncode++];

	c->address = address;
	c->size = size;
	c->bytes = bytes;
	snprintf(c->name, sizeof(c->name), "%s", name ? name : "");
	img->copied_bytes += size;
	return 0;
}

int kfr_pt_image_add_code(struct kfr_pt_image *img, uint64_t address, const void *bytes, uint64_t size,
			  const char *name)
{
	if (size == 0 || size > KFR_PT_MAX_COPY)
		return -1;
	uint8_t *copy = malloc(size);

	if (!copy)
		return -1;
	memcpy(copy, bytes, size);
	if (add_owned(img, address, copy, size, name)) {
		free(copy);
		return -1;
	}
	return 0;
}

int kfr_pt_image_add_file(struct kfr_pt_image *img, const char *path, uint64_t offset, uint64_t size,
			  uint64_t address)
{
	int isid = pt_iscache_add_file(img->iscache, path, offset, size, address);

	return isid < 0 ? isid : pt_image_add_cached(img->image, img->iscache, isid, NULL);
}

/*
 * Copies [start, end) of this process with process_vm_readv: a page that went away between reading
 * the maps and copying (code unmapped meanwhile) gives a short read, never a fault.
 */
static int copy_self(struct kfr_pt_image *img, uint64_t start, uint64_t end, const char *name)
{
	uint64_t size = end - start;

	if (size == 0 || size > KFR_PT_MAX_COPY || img->copied_bytes + size > KFR_PT_MAX_COPY)
		return -1;
	uint8_t *buf = malloc(size);

	if (!buf)
		return -1;
	struct iovec local = {buf, size}, remote = {(void *)(uintptr_t)start, size};
	ssize_t n = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);

	if (n <= 0 || add_owned(img, start, buf, (uint64_t)n, name)) {
		free(buf);
		return -1;
	}
	return 0;
}

enum mapping_kind { MAPPING_FILE, MAPPING_ANON, MAPPING_VDSO };

/* Calls `fn` for every executable mapping of /proc/self/maps. Returns the sum of fn's 1s, or -1. */
static int each_exec_mapping(struct kfr_pt_image *img,
			     int (*fn)(struct kfr_pt_image *, enum mapping_kind, uint64_t, uint64_t, uint64_t,
				       const char *))
{
	FILE *f = fopen("/proc/self/maps", "re");

	if (!f)
		return -1;
	char line[4096 + 128];
	int count = 0;

	while (fgets(line, sizeof(line), f)) {
		unsigned long long start, end, offset;
		char perms[8];
		int path_at = 0;

		if (sscanf(line, "%llx-%llx %7s %llx %*s %*s %n", &start, &end, perms, &offset, &path_at) < 4)
			continue;
		if (perms[2] != 'x')
			continue;
		char *path = line + path_at;

		path[strcspn(path, "\n")] = 0;
		enum mapping_kind kind;

		if (path[0] == '/' && !strstr(path, " (deleted)"))
			kind = MAPPING_FILE;
		else if (strcmp(path, "[vdso]") == 0)
			kind = MAPPING_VDSO;
		else if (path[0] == 0)
			kind = MAPPING_ANON;
		else
			continue; /* [vsyscall] (not readable), deleted files (their bytes are not worth a copy) */
		count += fn(img, kind, start, end, offset, path);
	}
	fclose(f);
	return count;
}

static int add_self_mapping(struct kfr_pt_image *img, enum mapping_kind kind, uint64_t start, uint64_t end,
			    uint64_t offset, const char *path)
{
	if (kind == MAPPING_FILE)
		return kfr_pt_image_add_file(img, path, offset, end - start, start) == 0;
	if (kind == MAPPING_VDSO)
		return copy_self(img, start, end, "[vdso]") == 0;
	return 0;
}

/*
 * The resident runs of an anonymous mapping, each copied. A committed code heap is mostly pages
 * never written (HotSpot commits ahead of use); they read as zeros, hold no code, and copying them
 * cost most of a snapshot's copy time (each one faulted in on both sides). mincore tells them apart.
 */
static int copy_anonymous(struct kfr_pt_image *img, enum mapping_kind kind, uint64_t start, uint64_t end,
			  uint64_t offset, const char *path)
{
	(void)offset;
	(void)path;
	if (kind != MAPPING_ANON)
		return 0;
	size_t page = (size_t)sysconf(_SC_PAGESIZE), pages = (end - start) / page;
	unsigned char *resident = malloc(pages ? pages : 1);

	if (!resident || mincore((void *)(uintptr_t)start, end - start, resident) != 0) {
		free(resident);
		return copy_self(img, start, end, "[code heap]") == 0; /* copy it all then */
	}
	int copied = 0;

	for (size_t i = 0; i < pages;) {
		if (!(resident[i] & 1)) {
			i++;
			continue;
		}
		size_t j = i;

		while (j < pages && (resident[j] & 1))
			j++;
		copied |= copy_self(img, start + i * page, start + j * page, "[code heap]") == 0;
		i = j;
	}
	free(resident);
	return copied;
}

int kfr_pt_image_add_self_mappings(struct kfr_pt_image *img)
{
	return each_exec_mapping(img, add_self_mapping);
}

/*
 * Why anonymous executable mappings rather than the code heap's live blobs: HotSpot commits its
 * code heaps as anonymous rwx/r-x mappings, and nothing else in a JVM maps anonymous executable
 * memory (libraries are file mappings), so the mappings are the code heap's committed part:
 * nmethods, adapters, stubs and the template interpreter, all of which a trace runs through.
 * Copying their resident pages is about 1 ms for a few MB at snapshot time and needs no walk of
 * HotSpot's structures that could race with the sweeper; a blob freed right after the copy still
 * decodes as it was when the trace was taken. (A code page swapped out is not copied: its ips
 * count as "no code at ip".)
 */
int kfr_pt_image_copy_anonymous_code(struct kfr_pt_image *img)
{
	return each_exec_mapping(img, copy_anonymous);
}
