/* The working-set file as kfr-prefetch reads it (the format: WorkingSetFormat.java, which writes it):
 *   magic "KFRWSET\n"  u16 version  u32 body length  body  u32 crc32(body)      (big-endian)
 *   body: i64 recordedAtMillis, varint files, per file:
 *     Java modified UTF path (u16 length + bytes), varint size, i64 mtimeNanos, varint inode,
 *     varint device, varint ranges, per range: varint (first - previous end), varint count
 * Ranges are in pages of 4096 bytes. */
#ifndef KFR_SET_FILE_H
#define KFR_SET_FILE_H

#include <stddef.h>
#include <stdint.h>

#define KFR_SET_VERSION 1
#define KFR_SET_PAGE 4096

struct kfr_set_file {
	char *path;
	uint64_t size;
	int64_t mtime_ns;
	uint64_t inode;
	uint64_t device;
	size_t nranges;
	uint64_t *ranges; /* pairs (first page, pages), sorted, not overlapping */
};

struct kfr_set {
	size_t nfiles;
	struct kfr_set_file *files;
};

/* Reads and checks path into set; 0, or -1 with why (a sentence without the file's name) filled. */
int kfr_set_read(const char *path, struct kfr_set *set, char *why, size_t why_len);

void kfr_set_free(struct kfr_set *set);

#endif
