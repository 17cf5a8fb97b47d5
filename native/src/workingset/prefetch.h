/* Bringing ranges of one open file into the page cache, by one of the kernel's ways: shared by the
 * JNI prefetcher (prefetch_jni.c) and the stand-alone kfr-prefetch program (tool/), which runs
 * before any JVM. ranges: pairs (offset, length) in bytes, sorted and merged by the caller. */
#ifndef KFR_PREFETCH_H
#define KFR_PREFETCH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Method codes (PrefetchMethod.code). */
#define PF_READ      0   /* pread(2) of each range with the file's readahead off: returns once read */
#define PF_FADVISE   1   /* posix_fadvise(POSIX_FADV_WILLNEED): starts the reads, returns */
#define PF_READAHEAD 2   /* readahead(2): the same, one call per range */
#define PF_POPULATE  3   /* mmap + madvise(MADV_POPULATE_READ): returns once the pages are in */

/* Opens path for reading without touching its atime where allowed; the fd or -errno. */
int kfr_prefetch_open(const char *path);

/* fd's size in bytes, or -1. */
off_t kfr_prefetch_file_size(int fd);

/* Brings the ranges of fd in by method; chunk: the most one fadvise/readahead call reads on the
 * file's device (the kernel cuts a larger request and drops the rest), <= 0 for 128 KB. Bytes
 * requested (clamped to the file), or -errno of the first failure. */
int64_t kfr_prefetch_fd(int fd, const int64_t *ranges, size_t n, int method, off_t chunk);

#endif
