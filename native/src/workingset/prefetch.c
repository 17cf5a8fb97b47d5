/* See prefetch.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "workingset/prefetch.h"

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif


int kfr_prefetch_open(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOATIME);

	if (fd < 0 && errno == EPERM)
		fd = open(path, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

off_t kfr_prefetch_file_size(int fd)
{
	struct stat st;

	return fstat(fd, &st) ? -1 : st.st_size;
}

/* fadvise and readahead in pieces of at most chunk bytes: the kernel cuts each call to the device's
 * readahead window (max(read_ahead_kb, max_sectors_kb)) and silently drops the rest of a range. */
static int advise(int fd, off_t off, off_t len, int method, off_t chunk)
{
	while (len > 0) {
		off_t n = len < chunk ? len : chunk;
		int err = method == PF_FADVISE ? -posix_fadvise(fd, off, n, POSIX_FADV_WILLNEED)
					       : (readahead(fd, off, (size_t)n) ? -errno : 0);

		if (err)
			return err;
		off += n;
		len -= n;
	}
	return 0;
}

/* pread of [off, off + len) in pieces of buf_len. The caller has turned the file's readahead off
 * (POSIX_FADV_RANDOM): with it on, each read also brings in up to read_ahead_kb beyond the range
 * (8 MB on a VM disk here: a 105 MB set read 191 MB from the disk), pages the set does not hold. */
static int read_range(int fd, off_t off, off_t len, char *buf, size_t buf_len)
{
	while (len > 0) {
		size_t want = (size_t)len < buf_len ? (size_t)len : buf_len;
		ssize_t n = pread(fd, buf, want, off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		off += n;
		len -= n;
	}
	return 0;
}

#define READ_BUFFER (1 << 20)

int64_t kfr_prefetch_fd(int fd, const int64_t *ranges, size_t n, int method, off_t chunk)
{
	void *map = MAP_FAILED;
	char *buf = NULL;
	int64_t done = 0;
	off_t size = kfr_prefetch_file_size(fd);

	if (size <= 0)
		return size < 0 ? -EIO : 0;
	if (method == PF_READ) {
		buf = malloc(READ_BUFFER);
		if (!buf)
			return -ENOMEM;
		posix_fadvise(fd, 0, 0, POSIX_FADV_RANDOM);
	}
	if (method == PF_POPULATE) {
		map = mmap(NULL, (size_t)size, PROT_READ, MAP_SHARED, fd, 0);
		if (map == MAP_FAILED)
			return -errno;
	}
	for (size_t i = 0; i + 1 < n; i += 2) {
		off_t off = ranges[i], len = ranges[i + 1];
		int err = 0;

		if (off >= size)
			continue;
		if (len > size - off)
			len = size - off;
		switch (method) {
		case PF_READ:
			err = read_range(fd, off, len, buf, READ_BUFFER);
			break;
		case PF_FADVISE:
		case PF_READAHEAD:
			err = advise(fd, off, len, method, chunk > 0 ? chunk : 128 * 1024);
			break;
		case PF_POPULATE: {
			off_t start = off & ~(off_t)4095;

			err = madvise((char *)map + start, (size_t)(off + len - start), MADV_POPULATE_READ) ? -errno : 0;
			break;
		}
		default:
			err = -EINVAL;
		}
		if (err) {
			done = err;
			break;
		}
		done += len;
	}
	if (map != MAP_FAILED)
		munmap(map, (size_t)size);
	free(buf);
	return done;
}
