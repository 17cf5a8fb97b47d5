#include "common/kfr_error.h"

#include <bpf/libbpf.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static __thread char err_msg[512];
static __thread int err_set;
static __thread char bpf_last[256];     /* last libbpf warning line */
static __thread char bpf_verifier[256]; /* reason line from the last verifier log */
static int debug_to_stderr;

/* libbpf.a's reference to stderr, renamed by the Makefile (see there): it must bind inside
 * libkfr.so. Only libbpf's default printer uses it, and kfr installs its own printer. */
__attribute__((visibility("hidden"))) FILE *kfr_libbpf_stderr;

__attribute__((constructor)) static void init_libbpf_stderr(void)
{
	kfr_libbpf_stderr = stderr;
}

void kfr_set_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err_msg, sizeof(err_msg), fmt, ap);
	va_end(ap);
	for (char *p = err_msg; *p; p++) /* one line */
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	err_set = 1;
}

void kfr_clear_error(void)
{
	err_set = 0;
	err_msg[0] = 0;
}

const char *kfr_last_error(void)
{
	return err_set ? err_msg : NULL;
}

static void copy_line(char *dst, size_t cap, const char *s, size_t n)
{
	while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
		n--;
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, s, n);
	dst[n] = 0;
}

/* From a verifier log, keep the line that says why: the last one that is not the summary
 * ("processed N insns ...", "verification time ...") or the END marker. */
static void keep_verifier_reason(const char *msg)
{
	const char *end = strstr(msg, "-- END PROG LOAD LOG --");
	const char *p, *line_end;

	if (!end)
		end = msg + strlen(msg);
	line_end = end;
	while (line_end > msg) {
		while (line_end > msg && line_end[-1] == '\n')
			line_end--;
		p = line_end;
		while (p > msg && p[-1] != '\n')
			p--;
		if (line_end > p && strncmp(p, "processed ", 10) && strncmp(p, "verification time", 17) &&
		    strncmp(p, "stack depth", 11) && !strstr(p, "BEGIN PROG LOAD LOG")) {
			copy_line(bpf_verifier, sizeof(bpf_verifier), p, (size_t)(line_end - p));
			return;
		}
		line_end = p;
	}
}

static int print_fn(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char buf[8192];
	va_list cp;
	int n;

	if (debug_to_stderr) {
		va_copy(cp, ap);
		vfprintf(stderr, fmt, cp);
		va_end(cp);
	}
	if (level == LIBBPF_DEBUG)
		return 0;
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	if (n <= 0)
		return 0;
	if (strstr(buf, "BEGIN PROG LOAD LOG")) {
		keep_verifier_reason(buf);
		return 0;
	}
	{
		const char *s = buf;

		if (!strncmp(s, "libbpf: ", 8))
			s += 8;
		copy_line(bpf_last, sizeof(bpf_last), s, strcspn(s, "\n"));
	}
	return 0;
}

static pthread_once_t log_once = PTHREAD_ONCE_INIT;

static void log_init_once(void)
{
	const char *d = getenv("KFR_DEBUG");

	debug_to_stderr = d && *d && strcmp(d, "0");
	libbpf_set_print(print_fn);
}

void kfr_libbpf_log_init(void)
{
	pthread_once(&log_once, log_init_once);
}

void kfr_libbpf_log_reset(void)
{
	bpf_last[0] = 0;
	bpf_verifier[0] = 0;
}

const char *kfr_libbpf_last(void)
{
	return bpf_verifier[0] ? bpf_verifier : bpf_last;
}
