/* kfr-prefetch: reads a recorded working set into the page cache before a program starts, with no
 * JVM of its own. `java -jar kfr-agent.jar run` is a JVM of the application's JDK that starts cold
 * before it can prefetch anything: on a disk of 200 reads/s its own start took 2.2 s here, most of
 * what the prefetch was meant to save. This program does what `kfr prefetch`/`kfr run` do (the plan:
 * PrefetchPlan.java; the reads: prefetch.c) in a few milliseconds of its own.
 *
 *   kfr-prefetch <file.ws> [--method=fadvise|read] [--cap=<bytes>[k|m|g]] [--background] [--quiet]
 *                [-- command [args...]]
 *
 * With a command it then replaces itself by the command (exec), so that a service manager sees the
 * program itself; a set it cannot use is said in one line and the command starts anyway. With
 * --background the reads go on in a child process while the command starts at once: on a disk fast
 * enough that reading the whole set first costs more than the start would wait for it. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "workingset/prefetch.h"
#include "workingset/tool/set_file.h"

#define USAGE "usage: kfr-prefetch <file.ws> [--method=fadvise|read] [--cap=<bytes>[k|m|g]] [--background] [--quiet] [-- command [args...]]"
/* Ranges closer than this are read as one (PrefetchPlan.MERGE_GAP_PAGES). */
#define MERGE_GAP_PAGES 32
#define MAX_CAP_BYTES (1LL << 30)
#define FALLBACK_WINDOW (128 * 1024)

struct options {
	const char *file;
	int method;
	long long cap;
	int quiet;
	int background;
	char **command; /* NULL: none */
};

static long long parse_bytes(const char *s)
{
	char *end;
	long long v = strtoll(s, &end, 10);

	if (end == s || v <= 0)
		return -1;
	switch (*end) {
	case 'k': case 'K': v <<= 10; end++; break;
	case 'm': case 'M': v <<= 20; end++; break;
	case 'g': case 'G': v <<= 30; end++; break;
	}
	return *end ? -1 : v;
}

/* 0, or -1 with the line printed. */
static int parse(int argc, char **argv, struct options *o)
{
	*o = (struct options){.method = PF_FADVISE};
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--")) {
			if (!o->file || i + 1 >= argc)
				break;
			o->command = argv + i + 1;
			return 0;
		} else if (!strcmp(a, "--method=fadvise")) {
			o->method = PF_FADVISE;
		} else if (!strcmp(a, "--method=read")) {
			o->method = PF_READ;
		} else if (!strncmp(a, "--cap=", 6)) {
			o->cap = parse_bytes(a + 6);
			if (o->cap <= 0) {
				fprintf(stderr, "kfr-prefetch: --cap takes a positive size: '%s'\n", a + 6);
				return -1;
			}
		} else if (!strcmp(a, "--quiet")) {
			o->quiet = 1;
		} else if (!strcmp(a, "--background")) {
			o->background = 1;
		} else if (a[0] == '-' || o->file) {
			fprintf(stderr, "kfr-prefetch: unexpected argument '%s'; " USAGE "\n", a);
			return -1;
		} else {
			o->file = a;
		}
	}
	if (!o->file || (argc > 1 && !strcmp(argv[argc - 1], "--"))) {
		fprintf(stderr, "kfr-prefetch: " USAGE "\n");
		return -1;
	}
	return 0;
}

/* MemAvailable of /proc/meminfo in bytes, or -1. */
static long long mem_available(void)
{
	FILE *f = fopen("/proc/meminfo", "re");
	char line[256];
	long long kb = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %lld kB", &kb) == 1)
			break;
	fclose(f);
	return kb < 0 ? -1 : kb * 1024;
}

static long long sysfs_kb(const char *path)
{
	FILE *f = fopen(path, "re");
	long long v = 0;

	if (!f)
		return 0;
	if (fscanf(f, "%lld", &v) != 1)
		v = 0;
	fclose(f);
	return v;
}

/* The most one fadvise call reads on the device (ReadaheadWindow.java): max(read_ahead_kb,
 * max_sectors_kb) of its queue, a partition's being its disk's. */
static off_t readahead_window(dev_t dev)
{
	static const char *queues[] = {"queue", "../queue"};
	char path[128];

	for (int i = 0; i < 2; i++) {
		long long kb, s;

		snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/%s/read_ahead_kb", major(dev), minor(dev), queues[i]);
		kb = sysfs_kb(path);
		snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/%s/max_sectors_kb", major(dev), minor(dev), queues[i]);
		s = sysfs_kb(path);
		if (s > kb)
			kb = s;
		if (kb > 0)
			return (off_t)kb * 1024;
	}
	return FALLBACK_WINDOW;
}

static int by_device_inode(const void *a, const void *b)
{
	const struct kfr_set_file *x = a, *y = b;

	if (x->device != y->device)
		return x->device < y->device ? -1 : 1;
	return x->inode < y->inode ? -1 : x->inode > y->inode;
}

/* Why the file is no longer the one recorded (FileIdentity.differenceFrom), or NULL. */
static const char *changed(const struct kfr_set_file *f, const struct stat *st)
{
	if ((uint64_t)st->st_ino != f->inode || (uint64_t)st->st_dev != f->device)
		return "replaced (another inode)";
	if ((uint64_t)st->st_size != f->size)
		return "size changed";
	if ((int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec != f->mtime_ns)
		return "modified since it was recorded";
	return NULL;
}

/* f's ranges merged (gap MERGE_GAP_PAGES), in bytes, clamped to the file and to budget; the pairs
 * go to out (room for 2 * f->nranges), their count is returned, their bytes added to *bytes. */
static size_t plan_file(const struct kfr_set_file *f, long long budget, int64_t *out, long long *bytes)
{
	size_t n = 0;

	for (size_t k = 0; k < f->nranges; k++) {
		uint64_t first = f->ranges[2 * k], end = first + f->ranges[2 * k + 1];

		while (k + 1 < f->nranges && f->ranges[2 * (k + 1)] <= end + MERGE_GAP_PAGES) {
			k++;
			uint64_t e = f->ranges[2 * k] + f->ranges[2 * k + 1];
			end = e > end ? e : end;
		}
		long long off = (long long)(first * KFR_SET_PAGE);
		long long len = (long long)((end - first) * KFR_SET_PAGE);

		if (off >= (long long)f->size)
			break;
		if (len > (long long)f->size - off)
			len = (long long)f->size - off;
		if (len > budget - *bytes)
			len = budget - *bytes;
		if (len <= 0)
			break;
		out[n++] = off;
		out[n++] = len;
		*bytes += len;
	}
	return n;
}

/* One file's part of the plan (PrefetchPlan.Request). */
struct request {
	const char *path;
	int64_t *pairs;
	size_t n;
	off_t window; /* readahead_window of its device */
};

/* The plan (PrefetchPlan.of), made once: the set's files in device/inode order that are still the
 * files recorded, their merged ranges, all cut at cap. Requests go to out (room for every file);
 * their count is returned, their bytes in *bytes; a skipped file is said to skips (may be NULL) and
 * counted in *skipped; -1 when out of memory. */
static long plan(struct kfr_set *set, long long cap, struct request *out, long long *bytes, FILE *skips,
		 size_t *skipped)
{
	long n = 0;

	qsort(set->files, set->nfiles, sizeof(*set->files), by_device_inode);
	for (size_t i = 0; i < set->nfiles && *bytes < cap; i++) {
		const struct kfr_set_file *f = &set->files[i];
		struct stat st;
		const char *diff = lstat(f->path, &st) ? strerror(errno)
				 : !S_ISREG(st.st_mode) ? "not a regular file" : changed(f, &st);

		if (diff) {
			if (skips)
				fprintf(skips, "  skipped %s: %s\n", f->path, diff);
			(*skipped)++;
			continue;
		}
		struct request *r = &out[n];

		r->pairs = malloc((f->nranges ? f->nranges : 1) * 2 * sizeof(*r->pairs));
		if (!r->pairs)
			return -1;
		r->n = plan_file(f, cap, r->pairs, bytes);
		if (!r->n) {
			free(r->pairs);
			r->pairs = NULL;
			continue;
		}
		r->path = f->path;
		r->window = readahead_window(st.st_dev);
		n++;
	}
	return n;
}

/* Brings the requests in by method; the count of files that went in. report: say each failure
 * and count it in *failed (READ's first pass, which only starts the reads, leaves that to the
 * reads). */
static size_t run_requests(const struct request *reqs, long n, int method, int report, size_t *failed)
{
	size_t files = 0;

	for (long i = 0; i < n; i++) {
		int fd = kfr_prefetch_open(reqs[i].path);
		int64_t done = fd < 0 ? fd : kfr_prefetch_fd(fd, reqs[i].pairs, reqs[i].n, method, reqs[i].window);

		if (fd >= 0)
			close(fd);
		if (done >= 0) {
			files++;
		} else if (report) {
			fprintf(stderr, "kfr-prefetch: %s: %s\n", reqs[i].path, strerror((int)-done));
			(*failed)++;
		}
	}
	return files;
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1e3 + (t.tv_nsec - t0->tv_nsec) / 1e6;
}

/* Prefetches the set as o says; 0 when every file went in, 1 otherwise (each failure said). */
static int prefetch(const struct options *o, FILE *say)
{
	struct kfr_set set;
	struct timespec t0;
	char why[256];
	long long cap = o->cap > 0 && o->cap < MAX_CAP_BYTES ? o->cap : MAX_CAP_BYTES;
	long long avail = mem_available(), total = 0;
	size_t files = 0, skipped = 0, failed = 0;
	char *skip_lines = NULL;
	size_t skip_len = 0;
	FILE *skips = NULL;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (kfr_set_read(o->file, &set, why, sizeof(why))) {
		fprintf(stderr, "kfr-prefetch: %s: %s\n", o->file, why);
		return 1;
	}
	if (!o->quiet) /* skipped files are said after the summary line, as `kfr prefetch` does */
		skips = open_memstream(&skip_lines, &skip_len);
	if (avail > 0 && avail / 2 < cap)
		cap = avail / 2; /* the program the prefetch is for needs the rest */
	struct request *reqs = calloc(set.nfiles ? set.nfiles : 1, sizeof(*reqs));
	long n = reqs ? plan(&set, cap, reqs, &total, skips, &skipped) : -1;

	if (n < 0) {
		fprintf(stderr, "kfr-prefetch: %s: out of memory\n", o->file);
		failed++;
	} else {
		/* READ starts every read first, as fadvise does, so that the disk gets them all at once,
		 * sorted and merged; its reads then wait for them, file by file (Prefetcher.startEveryRead) */
		if (o->method == PF_READ)
			run_requests(reqs, n, PF_FADVISE, 0, &failed);
		files = run_requests(reqs, n, o->method, 1, &failed);
	}
	if (!o->quiet) {
		fprintf(say, "kfr-prefetch: %s %.1f MB of %zu files from %s in %.0f ms",
			o->method == PF_READ ? "read" : "started reading", total / 1048576.0, files, o->file,
			ms_since(&t0));
		if (skipped)
			fprintf(say, "; %zu changed files skipped", skipped);
		fputc('\n', say);
	}
	if (skips) {
		fclose(skips);
		fputs(skip_lines, say);
		free(skip_lines);
	}
	for (size_t i = 0; reqs && i < set.nfiles; i++)
		free(reqs[i].pairs);
	free(reqs);
	kfr_set_free(&set);
	return failed ? 1 : 0;
}

/* --background: the prefetch in a process of its own, which says only what failed (the command's
 * output is the command's) while this one goes on at once. Forked twice, so that it is nobody's
 * child once the command runs (the command would not reap it). -1 in that process; in this one 1
 * once it started, 0 when it could not (the prefetch then runs here first). */
static int fork_prefetch(struct options *o)
{
	pid_t child = fork();
	int status;

	if (child == 0) {
		pid_t worker = fork();

		if (worker != 0)
			_exit(worker < 0 ? 1 : 0);
		int null = open("/dev/null", O_WRONLY | O_CLOEXEC);

		/* a pipe the caller reads to its end must not wait for the prefetch */
		if (null >= 0)
			dup2(null, STDOUT_FILENO);
		o->quiet = 1;
		return -1;
	}
	if (child < 0 || waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "kfr-prefetch: cannot start the background prefetch (%s); prefetching first\n",
			child < 0 ? strerror(errno) : "fork failed");
		return 0;
	}
	if (!o->quiet)
		fprintf(o->command ? stderr : stdout, "kfr-prefetch: reading %s in the background\n", o->file);
	return 1;
}

int main(int argc, char **argv)
{
	struct options o;
	sigset_t none;
	int rc = 0;

	if (parse(argc, argv, &o))
		return 2;
	int forked = o.background ? fork_prefetch(&o) : 0;

	if (forked < 0)
		return prefetch(&o, stderr);
	/* with a command, the program's own output stays its own */
	if (!forked)
		rc = prefetch(&o, o.command ? stderr : stdout);
	if (!o.command)
		return rc;
	fflush(NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execvp(o.command[0], o.command);
	fprintf(stderr, "kfr-prefetch: cannot execute %s: %s\n", o.command[0], strerror(errno));
	return 127;
}
