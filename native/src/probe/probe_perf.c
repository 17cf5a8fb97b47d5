/* perf event probes for `kfr doctor`: each event is opened disabled and closed at once. */
#define _GNU_SOURCE
#include "probe/probe.h"

#include <errno.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/kfr_error.h"
#include "common/sysctl.h"

#define PT_TYPE "/sys/bus/event_source/devices/intel_pt/type"

/* 99 when unreadable: shown as is in the error line */
static int paranoid(void)
{
	return kfr_sysctl_int(KFR_PERF_EVENT_PARANOID, 99);
}

static int open_close(struct perf_event_attr *a, int pid, int cpu, const char *what)
{
	int fd = (int)syscall(__NR_perf_event_open, a, pid, cpu, -1, PERF_FLAG_FD_CLOEXEC);
	int err = errno;

	if (fd >= 0) {
		close(fd);
		kfr_clear_error();
		return 0;
	}
	if (err == EACCES || err == EPERM)
		kfr_set_error("%s: not permitted (perf_event_paranoid is %d): needs root or CAP_PERFMON", what, paranoid());
	else if (err == ENOENT || err == EOPNOTSUPP || err == ENODEV)
		kfr_set_error("%s: this CPU / hypervisor exposes no such event (%s)", what, strerror(err));
	else
		kfr_set_error("%s: %s", what, strerror(err));
	return err;
}

static int pmu_type(const char *path, int *type)
{
	FILE *f = fopen(path, "r");
	int ok;

	if (!f)
		return -1;
	ok = fscanf(f, "%d", type) == 1;
	fclose(f);
	return ok ? 0 : -1;
}

int kfr_probe_perf(const char *kind)
{
	struct perf_event_attr a;

	kfr_clear_error();
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.disabled = 1;
	if (!strcmp(kind, "cpu-clock")) { /* kfr's sampler: every process on a CPU, filtered in BPF */
		a.type = PERF_TYPE_SOFTWARE;
		a.config = PERF_COUNT_SW_CPU_CLOCK;
		a.sample_period = 10000000;
		return open_close(&a, -1, 0, "cpu-clock on CPU 0");
	}
	/* the rest: this process, user space only, so any paranoid level allows it and the error
	 * says whether the event exists */
	a.exclude_kernel = 1;
	a.exclude_hv = 1;
	if (!strcmp(kind, "cpu-clock-self")) {
		a.type = PERF_TYPE_SOFTWARE;
		a.config = PERF_COUNT_SW_CPU_CLOCK;
		return open_close(&a, 0, -1, "cpu-clock for this process");
	}
	if (!strcmp(kind, "cycles")) {
		a.type = PERF_TYPE_HARDWARE;
		a.config = PERF_COUNT_HW_CPU_CYCLES;
		return open_close(&a, 0, -1, "cycles");
	}
	if (!strcmp(kind, "intel_pt")) {
		int type;
		if (pmu_type(PT_TYPE, &type)) {
			kfr_set_error("intel_pt: no Intel PT PMU (%s absent)", PT_TYPE);
			return ENOENT;
		}
		a.type = (__u32)type;
		return open_close(&a, 0, -1, "intel_pt");
	}
	kfr_set_error("unknown perf event kind '%s'", kind);
	return EINVAL;
}
