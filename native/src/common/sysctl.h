/* Reading the kernel's settings under /proc/sys. */
#ifndef KFR_SYSCTL_H
#define KFR_SYSCTL_H

/* The integer in /proc/sys file {@code path}, or {@code fallback} if it cannot be read. */
int kfr_sysctl_int(const char *path, int fallback);

#define KFR_PERF_EVENT_PARANOID "/proc/sys/kernel/perf_event_paranoid"

#endif
