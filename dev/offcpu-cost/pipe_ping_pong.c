/* Two threads handing a byte back and forth through two pipes, n round trips (4 context switches
 * each when both run on one CPU); prints the milliseconds. Runs no kfr: the host-wide cost of the
 * other processes' BPF programs on every context switch (many-jvms.sh). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
static int a[2], b[2];
static long n;
static void *pong(void *x) { char c; for (long i = 0; i < n; i++) { if (read(a[0], &c, 1) != 1) break; if (write(b[1], &c, 1) != 1) break; } return x; }
int main(int argc, char **argv) {
	n = argc > 1 ? atol(argv[1]) : 100000;
	pipe(a); pipe(b);
	pthread_t t; pthread_create(&t, NULL, pong, NULL);
	struct timespec s, e; clock_gettime(CLOCK_MONOTONIC, &s);
	char c = 'x';
	for (long i = 0; i < n; i++) { write(a[1], &c, 1); read(b[0], &c, 1); }
	clock_gettime(CLOCK_MONOTONIC, &e);
	pthread_join(t, NULL);
	double ms = (e.tv_sec - s.tv_sec) * 1e3 + (e.tv_nsec - s.tv_nsec) / 1e6;
	printf("%.1f\n", ms);
	return 0;
}
