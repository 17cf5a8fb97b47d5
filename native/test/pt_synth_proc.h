/* The traced process as the synthesizer sees it: its maps, its memory, single steps of one thread. */
#ifndef PT_SYNTH_PROC_H
#define PT_SYNTH_PROC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct ps_mapping {
	uint64_t start, end, offset;
	char perms[8];
	char path[512];
};

struct ps_proc {
	pid_t pid;
	int mem_fd; /* /proc/pid/mem */
	struct ps_mapping *maps;
	size_t nmaps;
};

int ps_open(struct ps_proc *p, pid_t pid);
void ps_close(struct ps_proc *p);
/* The executable mapping holding ip, or NULL. */
const struct ps_mapping *ps_exec_mapping(const struct ps_proc *p, uint64_t ip);
/* Reads up to n bytes at ip (fewer at the end of a mapping); returns the count. */
size_t ps_read(void *proc, uint64_t ip, uint8_t *buf, size_t n);

/* Single-steps tid once. 0: a plain step; >0: the thread stopped with that signal; -1: it is gone. */
int ps_step(pid_t tid);
/* The thread's rip, or 0. */
uint64_t ps_rip(pid_t tid);

#endif
