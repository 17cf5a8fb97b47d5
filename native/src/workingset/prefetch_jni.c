/* JNI for the working-set prefetcher: bring ranges of one file into the page cache by one of the
 * kernel's ways, count its resident pages, drop its pages (io.kfr.collectors.workingset.PrefetchNative).
 * ranges: pairs (offset, length) in bytes, sorted and merged by the caller. exec replaces the JVM by
 * the program a prefetch was for (`kfr run`). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <jni.h>
#include <stdint.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif

/* Method codes (PrefetchMethod.code). */
#define PF_READ      0   /* pread(2) of each range with the file's readahead off: returns once read */
#define PF_FADVISE   1   /* posix_fadvise(POSIX_FADV_WILLNEED): starts the reads, returns */
#define PF_READAHEAD 2   /* readahead(2): the same, one call per range */
#define PF_POPULATE  3   /* mmap + madvise(MADV_POPULATE_READ): returns once the pages are in */


static int open_path(JNIEnv *env, jstring path)
{
	const char *p = (*env)->GetStringUTFChars(env, path, NULL);
	int fd;

	if (!p)
		return -ENOMEM;
	fd = open(p, O_RDONLY | O_CLOEXEC | O_NOATIME);
	if (fd < 0 && errno == EPERM)
		fd = open(p, O_RDONLY | O_CLOEXEC);
	fd = fd < 0 ? -errno : fd;
	(*env)->ReleaseStringUTFChars(env, path, p);
	return fd;
}

static off_t file_size(int fd)
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

/* Bytes requested (clamped to the file), or -errno of the first failure. chunk: see advise(). */
JNIEXPORT jlong JNICALL Java_io_kfr_collectors_workingset_PrefetchNative_prefetch(JNIEnv *env, jclass cls,
		jstring path, jlongArray ranges, jint method, jlong chunk)
{
	jsize n = (*env)->GetArrayLength(env, ranges);
	jlong *r, done = 0;
	void *map = MAP_FAILED;
	off_t size;
	int fd;

	(void)cls;
	fd = open_path(env, path);
	if (fd < 0)
		return fd;
	size = file_size(fd);
	if (size <= 0) {
		close(fd);
		return size < 0 ? -EIO : 0;
	}
	char *buf = NULL;

	if (method == PF_READ) {
		buf = malloc(READ_BUFFER);
		if (!buf) {
			close(fd);
			return -ENOMEM;
		}
		posix_fadvise(fd, 0, 0, POSIX_FADV_RANDOM);
	}
	if (method == PF_POPULATE) {
		map = mmap(NULL, (size_t)size, PROT_READ, MAP_SHARED, fd, 0);
		if (map == MAP_FAILED) {
			int err = -errno;

			close(fd);
			return err;
		}
	}
	r = (*env)->GetLongArrayElements(env, ranges, NULL);
	for (jsize i = 0; r && i + 1 < n; i += 2) {
		off_t off = r[i], len = r[i + 1];
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
	if (r)
		(*env)->ReleaseLongArrayElements(env, ranges, r, JNI_ABORT);
	if (map != MAP_FAILED)
		munmap(map, (size_t)size);
	free(buf);
	close(fd);
	return done;
}

/* Pages of the ranges now in the page cache (mincore), or -errno. */
JNIEXPORT jlong JNICALL Java_io_kfr_collectors_workingset_PrefetchNative_resident(JNIEnv *env, jclass cls,
		jstring path, jlongArray ranges)
{
	jsize n = (*env)->GetArrayLength(env, ranges);
	long page = sysconf(_SC_PAGESIZE);
	jlong *r, resident = 0;
	unsigned char *vec;
	void *map;
	off_t size;
	size_t pages;
	int fd;

	(void)cls;
	fd = open_path(env, path);
	if (fd < 0)
		return fd;
	size = file_size(fd);
	if (size <= 0) {
		close(fd);
		return size < 0 ? -EIO : 0;
	}
	map = mmap(NULL, (size_t)size, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return -errno;
	pages = ((size_t)size + page - 1) / page;
	vec = malloc(pages);
	if (!vec || mincore(map, (size_t)size, vec)) {
		int err = vec ? -errno : -ENOMEM;

		free(vec);
		munmap(map, (size_t)size);
		return err;
	}
	r = (*env)->GetLongArrayElements(env, ranges, NULL);
	for (jsize i = 0; r && i + 1 < n; i += 2) {
		size_t first = (size_t)r[i] / page, end = ((size_t)r[i] + (size_t)r[i + 1] + page - 1) / page;

		for (size_t p = first; p < end && p < pages; p++)
			resident += vec[p] & 1;
	}
	if (r)
		(*env)->ReleaseLongArrayElements(env, ranges, r, JNI_ABORT);
	free(vec);
	munmap(map, (size_t)size);
	return resident;
}

/* Drops the file's clean pages from the page cache (to make one file cold without drop_caches). */
JNIEXPORT jint JNICALL Java_io_kfr_collectors_workingset_PrefetchNative_evict(JNIEnv *env, jclass cls, jstring path)
{
	int fd, err;

	(void)cls;
	fd = open_path(env, path);
	if (fd < 0)
		return fd;
	err = -posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	close(fd);
	return err;
}

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* execvp(argv): the JVM's descriptors are marked close-on-exec (not closed: if exec fails the JVM
 * goes on), its signal mask cleared. Returns only on failure, -errno. */
JNIEXPORT jint JNICALL Java_io_kfr_collectors_workingset_PrefetchNative_exec(JNIEnv *env, jclass cls, jobjectArray argv)
{
	jsize n = (*env)->GetArrayLength(env, argv);
	char **args;
	sigset_t none;
	int err;

	(void)cls;
	if (n < 1)
		return -EINVAL;
	args = calloc((size_t)n + 1, sizeof(*args));
	if (!args)
		return -ENOMEM;
	for (jsize i = 0; i < n; i++) {
		jstring s = (*env)->GetObjectArrayElement(env, argv, i);
		const char *c = s ? (*env)->GetStringUTFChars(env, s, NULL) : NULL;

		args[i] = c ? strdup(c) : NULL;
		if (c)
			(*env)->ReleaseStringUTFChars(env, s, c);
		if (!args[i]) {
			err = -ENOMEM;
			goto out;
		}
	}
	syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC);
	sigemptyset(&none);
	pthread_sigmask(SIG_SETMASK, &none, NULL);
	execvp(args[0], args);
	err = -errno;
out:
	for (jsize i = 0; i < n; i++)
		free(args[i]);
	free(args);
	return err;
}
