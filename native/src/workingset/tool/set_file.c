/* See set_file.h. A reader that trusts nothing: every length is checked against what is left. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "workingset/tool/set_file.h"

#define MAX_BODY (256u << 20)

static const char MAGIC[8] = "KFRWSET\n";

struct cursor {
	const unsigned char *p;
	size_t left;
	int bad;
};

static uint64_t be(struct cursor *c, int bytes)
{
	uint64_t v = 0;

	if (c->bad || c->left < (size_t)bytes) {
		c->bad = 1;
		return 0;
	}
	for (int i = 0; i < bytes; i++)
		v = v << 8 | c->p[i];
	c->p += bytes;
	c->left -= bytes;
	return v;
}

static uint64_t varint(struct cursor *c)
{
	uint64_t v = 0;

	for (int shift = 0; shift < 64; shift += 7) {
		uint64_t b = be(c, 1);

		if (c->bad)
			return 0;
		v |= (b & 0x7f) << shift;
		if (!(b & 0x80))
			return v;
	}
	c->bad = 1;
	return 0;
}

static int body(struct cursor *c, struct kfr_set *set)
{
	uint64_t files;

	be(c, 8); /* recordedAtMillis */
	files = varint(c);
	if (c->bad || files > c->left) /* every file takes more than a byte */
		return -1;
	set->files = calloc(files ? files : 1, sizeof(*set->files));
	if (!set->files)
		return -1;
	for (uint64_t i = 0; i < files; i++) {
		struct kfr_set_file *f = &set->files[i];
		size_t len = (size_t)be(c, 2);
		uint64_t end = 0, n;

		if (c->bad || len > c->left)
			return -1;
		f->path = strndup((const char *)c->p, len);
		if (!f->path)
			return -1;
		c->p += len;
		c->left -= len;
		set->nfiles++;
		f->size = varint(c);
		f->mtime_ns = (int64_t)be(c, 8);
		f->inode = varint(c);
		f->device = varint(c);
		n = varint(c);
		if (c->bad || n > c->left / 2)
			return -1;
		f->ranges = malloc((n ? n : 1) * 2 * sizeof(*f->ranges));
		if (!f->ranges)
			return -1;
		for (uint64_t k = 0; k < n; k++) {
			uint64_t first = end + varint(c), count = varint(c);

			if (c->bad || count == 0)
				return -1;
			f->ranges[2 * k] = first;
			f->ranges[2 * k + 1] = count;
			end = first + count;
		}
		f->nranges = n;
	}
	return c->bad ? -1 : 0;
}

int kfr_set_read(const char *path, struct kfr_set *set, char *why, size_t why_len)
{
	unsigned char head[14], tail[4];
	unsigned char *b = NULL;
	struct cursor c;
	uint32_t length, crc;
	FILE *in;
	int rc = -1;

	memset(set, 0, sizeof(*set));
	in = fopen(path, "rbe");
	if (!in) {
		snprintf(why, why_len, "%s", strerror(errno));
		return -1;
	}
	if (fread(head, 1, sizeof(head), in) != sizeof(head) || memcmp(head, MAGIC, sizeof(MAGIC))) {
		snprintf(why, why_len, "not a kfr working-set file");
		goto out;
	}
	c = (struct cursor){head + 8, 6, 0};
	if (be(&c, 2) != KFR_SET_VERSION) {
		snprintf(why, why_len, "a working-set file of version %u; this kfr-prefetch reads version %d",
			 (unsigned)((head[8] << 8) | head[9]), KFR_SET_VERSION);
		goto out;
	}
	length = (uint32_t)be(&c, 4);
	if (length > MAX_BODY || !(b = malloc(length ? length : 1))) {
		snprintf(why, why_len, "damaged working-set file (body of %u bytes)", length);
		goto out;
	}
	if (fread(b, 1, length, in) != length || fread(tail, 1, 4, in) != 4) {
		snprintf(why, why_len, "truncated working-set file");
		goto out;
	}
	crc = (uint32_t)tail[0] << 24 | (uint32_t)tail[1] << 16 | (uint32_t)tail[2] << 8 | tail[3];
	if ((uint32_t)crc32(crc32(0L, Z_NULL, 0), b, length) != crc) {
		snprintf(why, why_len, "damaged working-set file (checksum)");
		goto out;
	}
	c = (struct cursor){b, length, 0};
	if (body(&c, set)) {
		snprintf(why, why_len, "damaged working-set file (its body)");
		kfr_set_free(set);
		goto out;
	}
	rc = 0;
out:
	free(b);
	fclose(in);
	return rc;
}

void kfr_set_free(struct kfr_set *set)
{
	for (size_t i = 0; i < set->nfiles; i++) {
		free(set->files[i].path);
		free(set->files[i].ranges);
	}
	free(set->files);
	memset(set, 0, sizeof(*set));
}
