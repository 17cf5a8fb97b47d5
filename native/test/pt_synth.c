/*
 * The PT proofs' trace synthesizer: single-steps real code with ptrace, records every rip, and
 * writes the Intel PT packets the hardware would have written for that execution (libipt's
 * encoder), with what a decoder needs to read them.
 *   pt_synth native <pt_target> <iterations> <outdir> [psb-period]   pt_target_work of a child
 *   pt_synth attach <pid> <tid> <steps> <outdir> [psb-period]        a running thread's JIT code
 * outdir gets: trace.pt (the packets), steps.bin (u64 rips of the executed instructions, then the
 * ip execution went on to), kinds.bin (u8 per instruction: 0 other, 1 conditional not taken,
 * 2 taken, 3 direct jump, 4 direct call, 5 indirect jump, 6 indirect call, 7 return, 8 syscall), image.txt
 * ("file <hex address> <size> <offset> <path>" or "code <hex address> <file>" per mapping the steps
 * ran in; code-*.bin the copied bytes) and meta.txt (steps, bytes, first and last TSC, signal).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>
#include <x86intrin.h>

#include "pt_synth_encode.h"
#include "pt_synth_proc.h"

#define MAX_STEPS 2000000

static struct pt_synth_step *steps;
static size_t nsteps;

static int die(const char *what)
{
	fprintf(stderr, "pt_synth: %s%s%s\n", what, errno ? ": " : "", errno ? strerror(errno) : "");
	return 1;
}

static void record(uint64_t ip)
{
	steps[nsteps].ip = ip;
	steps[nsteps].tsc = __rdtsc();
	nsteps++;
}

/* Single-stepping stops once per iteration of a rep-prefixed string instruction; PT sees one. */
static void collapse_rep(struct ps_proc *p)
{
	size_t out = 0;

	for (size_t i = 0; i <= nsteps; i++) {
		if (out > 0 && steps[i].ip == steps[out - 1].ip) {
			uint8_t code[16];
			struct pt_synth_insn insn;

			pt_synth_classify(code, ps_read(p, steps[i].ip, code, sizeof(code)), steps[i].ip, &insn);
			if (insn.kind == PS_REP_STRING)
				continue;
		}
		steps[out++] = steps[i];
	}
	nsteps = out - 1;
}

static int write_file(const char *dir, const char *name, const void *data, size_t len)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "we");

	if (!f)
		return -1;
	size_t w = fwrite(data, 1, len, f);

	return fclose(f) == 0 && w == len ? 0 : -1;
}

/* image.txt: file mappings as they are; anonymous code copied, the pages around the steps. */
static int write_image(struct ps_proc *p, const char *dir)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/image.txt", dir);
	FILE *f = fopen(path, "we");

	if (!f)
		return -1;
	for (size_t m = 0; m < p->nmaps; m++) {
		const struct ps_mapping *map = &p->maps[m];
		uint64_t lo = UINT64_MAX, hi = 0;

		if (map->perms[2] != 'x')
			continue;
		for (size_t i = 0; i <= nsteps; i++) {
			if (steps[i].ip >= map->start && steps[i].ip < map->end) {
				lo = steps[i].ip < lo ? steps[i].ip : lo;
				hi = steps[i].ip > hi ? steps[i].ip : hi;
			}
		}
		if (lo == UINT64_MAX)
			continue;
		if (map->path[0] == '/') {
			fprintf(f, "file %lx %lu %lu %s\n", (unsigned long)map->start, (unsigned long)(map->end - map->start),
				(unsigned long)map->offset, map->path);
			continue;
		}
		lo = (lo & ~4095UL) > map->start + 4096 ? (lo & ~4095UL) - 4096 : map->start;
		hi = ((hi + 16 + 4095) & ~4095UL) + 4096;
		hi = hi < map->end ? hi : map->end;
		size_t len = hi - lo;
		uint8_t *bytes = malloc(len);
		ssize_t got = bytes ? pread(p->mem_fd, bytes, len, (off_t)lo) : -1;
		char name[64];

		snprintf(name, sizeof(name), "code-%lx.bin", (unsigned long)lo);
		if (got <= 0 || write_file(dir, name, bytes, (size_t)got)) {
			free(bytes);
			fclose(f);
			return -1;
		}
		free(bytes);
		fprintf(f, "code %lx %s\n", (unsigned long)lo, name);
	}
	return fclose(f);
}

static int emit(struct ps_proc *p, const char *dir, size_t psb_period, int signal)
{
	collapse_rep(p);
	size_t cap = nsteps * 4 + 4096;
	uint8_t *buf = malloc(cap), *kinds = calloc(nsteps + 1, 1);
	char err[256] = "";

	if (!buf || !kinds)
		return die("out of memory");
	long len = pt_synth_encode(steps, nsteps, ps_read, p, buf, cap, psb_period, kinds, err, sizeof(err));

	if (len < 0) {
		fprintf(stderr, "pt_synth: %s\n", err);
		return 1;
	}
	uint64_t *ips = malloc((nsteps + 1) * sizeof(uint64_t));

	for (size_t i = 0; i <= nsteps; i++)
		ips[i] = steps[i].ip;
	char meta[256];

	snprintf(meta, sizeof(meta), "steps %zu\nbytes %ld\ntsc %lu %lu\nsignal %d\n", nsteps, len,
		 (unsigned long)steps[0].tsc, (unsigned long)steps[nsteps - 1].tsc, signal);
	errno = 0;
	if (write_file(dir, "trace.pt", buf, (size_t)len) || write_file(dir, "steps.bin", ips, (nsteps + 1) * 8) ||
	    write_file(dir, "kinds.bin", kinds, nsteps) || write_image(p, dir) ||
	    write_file(dir, "meta.txt", meta, strlen(meta)))
		return die("cannot write the output");
	printf("%s", meta);
	return 0;
}

static int run_native(const char *target, const char *iterations, const char *dir, size_t psb_period)
{
	int fds[2];

	if (pipe(fds))
		return die("pipe");
	pid_t pid = fork();

	if (pid == 0) {
		dup2(fds[1], 1);
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		execl(target, target, iterations, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	int status;

	if (waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status)) /* the exec's SIGTRAP */
		return die("target did not start");
	ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_EXITKILL);
	if (ptrace(PTRACE_CONT, pid, 0, 0) || waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status) ||
	    WSTOPSIG(status) != SIGSTOP)
		return die("target did not stop itself");
	char line[128] = "";
	unsigned long work = 0, done = 0;
	FILE *out = fdopen(fds[0], "r");

	if (!out || !fgets(line, sizeof(line), out) || sscanf(line, "%lx %lx", &work, &done) != 2)
		return die("target did not say its addresses");
	struct ps_proc p;

	if (ps_open(&p, pid))
		return die("cannot read the target's maps or memory");
	uint64_t rip = ps_rip(pid);

	for (int i = 0; rip != work && i < 1000000; i++)
		rip = ps_step(pid) == 0 ? ps_rip(pid) : 0;
	if (rip != work)
		return die("never reached pt_target_work");
	while (rip != done && nsteps < MAX_STEPS) {
		record(rip);
		if (ps_step(pid) != 0)
			return die("target stopped unexpectedly");
		rip = ps_rip(pid);
	}
	steps[nsteps].ip = rip;
	steps[nsteps].tsc = __rdtsc();
	int rc = emit(&p, dir, psb_period, 0);

	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	ps_close(&p);
	return rc;
}

/* Anonymous executable memory: a JVM's code heap. */
static int in_jit_code(const struct ps_proc *p, uint64_t ip)
{
	const struct ps_mapping *m = ps_exec_mapping(p, ip);

	return m && m->path[0] == 0;
}

static int run_attach(pid_t pid, pid_t tid, size_t max, const char *dir, size_t psb_period)
{
	int status, signal = 0;

	if (ptrace(PTRACE_SEIZE, tid, 0, 0) || ptrace(PTRACE_INTERRUPT, tid, 0, 0) ||
	    waitpid(tid, &status, __WALL) != tid)
		return die("cannot seize the thread");
	struct ps_proc p;

	if (ps_open(&p, pid))
		return die("cannot read the process's maps or memory");
	uint64_t rip = ps_rip(tid);

	/* (not a step over pushf here either: see pt_synth_is_pushf) */
	for (int i = 0; !in_jit_code(&p, rip) && i < 200000 && !signal; i++) {
		uint8_t code[16];

		if (pt_synth_is_pushf(code, ps_read(&p, rip, code, sizeof(code))))
			break;
		signal = ps_step(tid);
		rip = ps_rip(tid);
	}
	while (!signal && in_jit_code(&p, rip) && nsteps < max) {
		uint8_t code[16];

		if (pt_synth_is_pushf(code, ps_read(&p, rip, code, sizeof(code))))
			break;
		record(rip);
		signal = ps_step(tid);
		uint64_t after = ps_rip(tid);

		if (signal && after == rip)
			nsteps--; /* a fault: the instruction did not run; execution goes on at the handler */
		rip = after;
	}
	steps[nsteps].ip = rip;
	steps[nsteps].tsc = __rdtsc();
	if (signal)
		fprintf(stderr, "pt_synth: step %zu: the thread stopped with signal %d\n", nsteps, signal);
	/* the code is read (classified, copied) while the thread is still stopped */
	int rc = nsteps < 2 ? 1 : emit(&p, dir, psb_period, signal > 0 ? signal : 0);

	if (nsteps < 2)
		fprintf(stderr, "pt_synth: the thread ran no JIT code\n");
	ptrace(PTRACE_DETACH, tid, 0, signal > 0 ? signal : 0);
	ps_close(&p);
	return rc;
}

int main(int argc, char **argv)
{
	steps = malloc((MAX_STEPS + 1) * sizeof(*steps));
	if (!steps)
		return die("out of memory");
	if (argc >= 5 && strcmp(argv[1], "native") == 0)
		return run_native(argv[2], argv[3], argv[4], argc > 5 ? strtoul(argv[5], NULL, 0) : 4096);
	if (argc >= 6 && strcmp(argv[1], "attach") == 0) {
		size_t max = strtoul(argv[4], NULL, 0);

		return run_attach(atoi(argv[2]), atoi(argv[3]), max < MAX_STEPS ? max : MAX_STEPS, argv[5],
				  argc > 6 ? strtoul(argv[6], NULL, 0) : 4096);
	}
	fprintf(stderr, "usage: pt_synth native <pt_target> <iterations> <outdir> [psb-period]\n"
			"       pt_synth attach <pid> <tid> <steps> <outdir> [psb-period]\n");
	return 2;
}
