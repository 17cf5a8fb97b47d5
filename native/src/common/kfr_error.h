/* Thread-local last-error message, and libbpf's log kept out of the JVM's stderr. */
#ifndef KFR_ERROR_H
#define KFR_ERROR_H

#include <stddef.h>

/* Sets the calling thread's last error (printf-style, one line). */
void kfr_set_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kfr_clear_error(void);
/* The calling thread's last error, or NULL. */
const char *kfr_last_error(void);

/* Routes libbpf's messages into a thread-local "last libbpf warning" instead of stderr
 * (KFR_DEBUG=1 in the environment also prints them to stderr). Idempotent. */
void kfr_libbpf_log_init(void);
/* Forget / read the last libbpf warning of this thread (verifier reason preferred). "" if none. */
void kfr_libbpf_log_reset(void);
const char *kfr_libbpf_last(void);

#endif
