/* See pt_synth_proc.h. */
#define _GNU_SOURCE
#include "pt_synth_proc.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

int ps_open(struct ps_proc *p, pid_t pid)
{
	char path[64], line[1024];

	memset(p, 0, sizeof(*p));
	p->pid = pid;
	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	p->mem_fd = open(path, O_RDONLY | O_CLOEXEC);
	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	FILE *f = fopen(path, "re");

	if (p->mem_fd < 0 || !f) {
		if (f)
			fclose(f);
		return -1;
	}
	size_t cap = 0;

	while (fgets(line, sizeof(line), f)) {
		struct ps_mapping m;
		unsigned long long s, e, o;
		int at = 0;

		memset(&m, 0, sizeof(m));
		if (sscanf(line, "%llx-%llx %7s %llx %*s %*s %n", &s, &e, m.perms, &o, &at) < 4)
			continue;
		m.start = s;
		m.end = e;
		m.offset = o;
		snprintf(m.path, sizeof(m.path), "%s", line + at);
		m.path[strcspn(m.path, "\n")] = 0;
		if (p->nmaps == cap) {
			cap = cap ? cap * 2 : 64;
			p->maps = realloc(p->maps, cap * sizeof(m));
		}
		p->maps[p->nmaps++] = m;
	}
	fclose(f);
	return 0;
}

void ps_close(struct ps_proc *p)
{
	if (p->mem_fd >= 0)
		close(p->mem_fd);
	free(p->maps);
	p->maps = NULL;
}

const struct ps_mapping *ps_exec_mapping(const struct ps_proc *p, uint64_t ip)
{
	for (size_t i = 0; i < p->nmaps; i++)
		if (ip >= p->maps[i].start && ip < p->maps[i].end && p->maps[i].perms[2] == 'x')
			return &p->maps[i];
	return NULL;
}

size_t ps_read(void *proc, uint64_t ip, uint8_t *buf, size_t n)
{
	const struct ps_proc *p = proc;
	const struct ps_mapping *m = ps_exec_mapping(p, ip);

	if (!m)
		return 0;
	if (ip + n > m->end)
		n = m->end - ip;
	ssize_t got = pread(p->mem_fd, buf, n, (off_t)ip);

	return got > 0 ? (size_t)got : 0;
}

int ps_step(pid_t tid)
{
	int status;

	if (ptrace(PTRACE_SINGLESTEP, tid, 0, 0) != 0)
		return -1;
	if (waitpid(tid, &status, __WALL) != tid || !WIFSTOPPED(status))
		return -1;
	return WSTOPSIG(status) == SIGTRAP ? 0 : WSTOPSIG(status);
}

uint64_t ps_rip(pid_t tid)
{
	struct user_regs_struct regs;

	if (ptrace(PTRACE_GETREGS, tid, 0, &regs) != 0)
		return 0;
	return regs.rip;
}
