/* JNI for the working-set prefetcher (io.kfr.collectors.workingset.PrefetchNative): bring ranges of
 * one file into the page cache (prefetch.c), count its resident pages, drop its pages. ranges: pairs
 * (offset, length) in bytes, sorted and merged by the caller. exec replaces the JVM by the program a
 * prefetch was for (`kfr run`). */
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

#include "workingset/prefetch.h"

static int open_path(JNIEnv *env, jstring path)
{
	const char *p = (*env)->GetStringUTFChars(env, path, NULL);
	int fd;

	if (!p)
		return -ENOMEM;
	fd = kfr_prefetch_open(p);
	(*env)->ReleaseStringUTFChars(env, path, p);
	return fd;
}

/* Bytes requested (clamped to the file), or -errno of the first failure. chunk: see prefetch.h. */
JNIEXPORT jlong JNICALL Java_io_kfr_collectors_workingset_PrefetchNative_prefetch(JNIEnv *env, jclass cls,
		jstring path, jlongArray ranges, jint method, jlong chunk)
{
	jsize n = (*env)->GetArrayLength(env, ranges);
	jlong *r, done;
	int fd;

	(void)cls;
	fd = open_path(env, path);
	if (fd < 0)
		return fd;
	r = (*env)->GetLongArrayElements(env, ranges, NULL);
	if (!r) {
		close(fd);
		return -ENOMEM;
	}
	done = kfr_prefetch_fd(fd, (const int64_t *)r, (size_t)n, method, (off_t)chunk);
	(*env)->ReleaseLongArrayElements(env, ranges, r, JNI_ABORT);
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
	size = kfr_prefetch_file_size(fd);
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
