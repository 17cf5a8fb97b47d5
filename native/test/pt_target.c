/*
 * The native program the PT proof traces: pt_target_work's branches are known in kind (a counted
 * loop, conditionals, direct calls, indirect calls through a table, a switch that compiles to an
 * indirect jump, returns, a system call in libc); which way each went is what single-stepping records. It prints the
 * addresses where recording starts and ends, stops itself (SIGSTOP) for the tracer, then runs them.
 *   pt_target [iterations]
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

typedef int (*op_fn)(int, int);

static volatile int sink;

__attribute__((noinline)) int pt_leaf_add(int a, int b)
{
	return a + b;
}

__attribute__((noinline)) int pt_leaf_mix(int a, int b)
{
	return (a ^ (b << 3)) + 1;
}

__attribute__((noinline)) int pt_target_work(int n, op_fn *ops)
{
	int acc = 0;

	for (int i = 0; i < n; i++) {
		if (i % 3 == 0)
			acc += pt_leaf_add(acc, i);
		else if (acc & 1)
			acc ^= i;
		acc = ops[(i >> 1) & 1](acc, i);
		if ((i & 15) == 7)
			acc += getppid() & 1; /* libc's wrapper: a syscall, in another file's code */
		switch ((acc ^ i) & 7) { /* dense cases: a jump table, an indirect jump */
		case 0: acc += 11; break;
		case 1: acc -= 5; break;
		case 2: acc *= 3; break;
		case 3: acc ^= 0x55; break;
		case 4: acc += i; break;
		case 5: acc -= i; break;
		default: acc++; break;
		}
	}
	return acc;
}

__attribute__((noinline)) void pt_target_done(void)
{
	sink++;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 40;
	op_fn ops[2] = {pt_leaf_add, pt_leaf_mix};

	sink = getppid(); /* binds its PLT slot now: the dynamic linker's resolver is not what is traced */
	printf("%lx %lx\n", (unsigned long)pt_target_work, (unsigned long)pt_target_done);
	fflush(stdout);
	raise(SIGSTOP);
	sink = pt_target_work(n, ops);
	pt_target_done();
	return 0;
}
