/* The intel_pt PMU as sysfs describes it: its type, the config bits of each format term, its
 * address-filter count; and the attr of a traced thread built from them. */
#include "pt/pt_perf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return -errno;
	if (!fgets(buf, (int)len, f)) {
		fclose(f);
		return -EINVAL;
	}
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

int kfr_pt_field_read(const char *pmu_dir, const char *term, struct kfr_pt_field *f)
{
	char path[300], line[64];
	f->word = -1;
	f->lo = f->hi = 0;
	snprintf(path, sizeof(path), "%s/format/%s", pmu_dir, term);
	int err = read_line(path, line, sizeof(line));
	if (err)
		return err == -ENOENT ? -ENOENT : -EINVAL;
	int word;
	const char *p;
	if (strncmp(line, "config:", 7) == 0) {
		word = 0;
		p = line + 7;
	} else if (strncmp(line, "config1:", 8) == 0) {
		word = 1;
		p = line + 8;
	} else if (strncmp(line, "config2:", 8) == 0) {
		word = 2;
		p = line + 8;
	} else {
		return -EINVAL;
	}
	char *end;
	long lo = strtol(p, &end, 10);
	if (end == p || lo < 0 || lo > 63)
		return -EINVAL;
	long hi = lo;
	if (*end == '-') {
		p = end + 1;
		hi = strtol(p, &end, 10);
		if (end == p || hi < lo || hi > 63)
			return -EINVAL;
	}
	if (*end != 0) /* split fields ("0-7,32-35"): no PT term has one */
		return -EINVAL;
	f->word = word;
	f->lo = (int)lo;
	f->hi = (int)hi;
	return 0;
}

int kfr_pt_field_set(const struct kfr_pt_field *f, uint64_t value, uint64_t config[3])
{
	if (f->word < 0)
		return -1;
	int bits = f->hi - f->lo + 1;
	uint64_t mask = bits == 64 ? ~0ull : ((1ull << bits) - 1);
	if (value & ~mask)
		return -1;
	config[f->word] = (config[f->word] & ~(mask << f->lo)) | (value << f->lo);
	return 0;
}

int kfr_pt_pmu_read(const char *dir, struct kfr_pt_pmu *pmu, char *why, size_t whylen)
{
	char path[300], line[64];
	memset(pmu, 0, sizeof(*pmu));
	snprintf(pmu->dir, sizeof(pmu->dir), "%s", dir);
	snprintf(path, sizeof(path), "%s/type", dir);
	int err = read_line(path, line, sizeof(line));
	if (err) {
		if (err == -ENOENT)
			snprintf(why, whylen, "no Intel PT on this machine (%s missing): needs an Intel CPU with Processor "
				 "Trace (Broadwell or newer) and a kernel with CONFIG_PERF_EVENTS_INTEL_PT; in a VM "
				 "the hypervisor must pass PT through", dir);
		else
			snprintf(why, whylen, "cannot read %s: %s", path, strerror(-err));
		return -1;
	}
	char *end;
	long type = strtol(line, &end, 10);
	if (end == line || *end || type < 0) {
		snprintf(why, whylen, "%s holds '%s', not a PMU type number", path, line);
		return -1;
	}
	pmu->type = (int)type;
	struct {
		const char *term;
		struct kfr_pt_field *f;
	} terms[] = { { "pt", &pmu->pt },     { "tsc", &pmu->tsc },	      { "mtc", &pmu->mtc },
		      { "cyc", &pmu->cyc },   { "noretcomp", &pmu->noretcomp }, { "branch", &pmu->branch },
		      { "mtc_period", &pmu->mtc_period } };
	for (size_t i = 0; i < sizeof(terms) / sizeof(terms[0]); i++) {
		err = kfr_pt_field_read(dir, terms[i].term, terms[i].f);
		if (err == -EINVAL) {
			snprintf(why, whylen, "%s/format/%s is not in the kernel's format syntax (config:<bit>[-<bit>])",
				 dir, terms[i].term);
			return -1;
		}
	}
	snprintf(path, sizeof(path), "%s/caps/num_address_ranges", dir);
	pmu->num_address_ranges = read_line(path, line, sizeof(line)) == 0 ? atoi(line) : -1;
	return 0;
}

int kfr_pt_attr(const struct kfr_pt_pmu *pmu, unsigned flags, struct perf_event_attr *attr, char *why,
		size_t whylen)
{
	uint64_t config[3] = { 0, 0, 0 };
	/* perf's own default for intel_pt ("pt,tsc,mtc,mtc_period=3,branch") plus noretcomp: a TIP for
	 * every return, so that each return's target is in the trace and the call stack can be rebuilt
	 * from the trace alone (return compression would need the decoder's own call stack from the
	 * start of the trace, which a snapshot never has). Terms an older kernel lacks are its defaults. */
	kfr_pt_field_set(&pmu->pt, 1, config);
	kfr_pt_field_set(&pmu->branch, 1, config);
	kfr_pt_field_set(&pmu->noretcomp, 1, config);
	/* Timing packets where the kernel knows the terms; without them the paths have no durations. */
	if ((flags & KFR_PT_TIMING) && kfr_pt_field_set(&pmu->tsc, 1, config) == 0 &&
	    kfr_pt_field_set(&pmu->mtc, 1, config) == 0)
		kfr_pt_field_set(&pmu->mtc_period, 3, config);
	if ((flags & KFR_PT_CYCLES) && kfr_pt_field_set(&pmu->cyc, 1, config)) {
		snprintf(why, whylen, "this CPU or kernel has no cycle-accurate mode (%s/format/cyc)", pmu->dir);
		return -1;
	}
	memset(attr, 0, sizeof(*attr));
	attr->size = sizeof(*attr);
	attr->type = (uint32_t)pmu->type;
	attr->config = config[0];
	attr->config1 = config[1];
	attr->config2 = config[2];
	attr->disabled = 1; /* enabled after the address filter is set */
	attr->exclude_kernel = 1;
	attr->exclude_hv = 1;
	attr->exclude_guest = 1;
	return 0;
}
