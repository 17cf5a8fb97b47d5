/* BPF probes for `kfr doctor`: program types, maps, helpers, run-time statistics. Each one asks
 * the kernel itself (bpf() with a minimal program or map) instead of guessing from versions. */
#define _GNU_SOURCE
#include "probe/probe.h"

#include <errno.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "common/kfr_error.h"

#define TRACEPOINT "sched_switch"   /* what kfr's off-CPU collector attaches to */
#define KERNEL_FUNC "do_nanosleep"  /* any traceable kernel function, for kprobe/fentry */
#define LOG_SIZE (64 * 1024)

/* r0 = 0; exit */
static const struct bpf_insn RETURN_0[] = {
	{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
	{ .code = BPF_JMP | BPF_EXIT },
};

/* A positive errno with the reason set (doctor adds the privileges kfr needs to EPERM/EACCES). */
static int fail(int err, const char *what)
{
	if (err == EPERM || err == EACCES)
		kfr_set_error("%s: not permitted (%s)", what, err == EPERM ? "EPERM" : "EACCES");
	else if (err == 524) /* ENOTSUPP, kernel-internal: no trampoline / not supported */
		kfr_set_error("%s: not supported by this kernel (ENOTSUPP)", what);
	else
		kfr_set_error("%s: %s", what, strerror(err));
	return err;
}

static int close_ok(int fd)
{
	close(fd);
	kfr_clear_error();
	return 0;
}

/* The BTF id of kernel function or tracepoint name for attach type t, or a negative errno. */
static int btf_target(const char *name, enum bpf_attach_type t, const char *what)
{
	int id = libbpf_find_vmlinux_btf_id(name, t);

	if (id < 0) {
		if (access("/sys/kernel/btf/vmlinux", R_OK))
			kfr_set_error("%s: no kernel BTF (/sys/kernel/btf/vmlinux)", what);
		else
			kfr_set_error("%s: %s not in the kernel's BTF", what, name);
	}
	return id;
}

static int load(enum bpf_prog_type type, const struct bpf_insn *insns, size_t n, struct bpf_prog_load_opts *opts)
{
	int fd = bpf_prog_load(type, "kfr_probe", "GPL", insns, n, opts);

	return fd < 0 ? -errno : fd;
}

/* A kprobe on KERNEL_FUNC through the kprobe PMU (no tracefs needed), with the program attached. */
static int attach_kprobe(int prog)
{
	FILE *f = fopen("/sys/bus/event_source/devices/kprobe/type", "r");
	struct perf_event_attr a;
	int type = -1, pfd, err = 0;

	if (!f) {
		kfr_set_error("kprobe: no kprobe PMU (/sys/bus/event_source/devices/kprobe absent: a kernel without "
			      "CONFIG_KPROBE_EVENTS)");
		return ENOENT;
	}
	if (fscanf(f, "%d", &type) != 1)
		type = -1;
	fclose(f);
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = (__u32)type;
	a.config1 = (__u64)(unsigned long)KERNEL_FUNC; /* kprobe_func */
	pfd = (int)syscall(__NR_perf_event_open, &a, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	if (pfd < 0)
		return fail(errno, "kprobe: perf_event_open(kprobe " KERNEL_FUNC ")");
	if (ioctl(pfd, PERF_EVENT_IOC_SET_BPF, prog))
		err = fail(errno, "kprobe: attach");
	close(pfd);
	return err;
}

int kfr_probe_prog(const char *kind)
{
	LIBBPF_OPTS(bpf_prog_load_opts, opts);
	enum bpf_prog_type type;
	int fd, link = -1, id;

	kfr_libbpf_log_init();
	kfr_clear_error();
	if (!strcmp(kind, "tracepoint")) {
		type = BPF_PROG_TYPE_TRACEPOINT;
	} else if (!strcmp(kind, "raw_tp")) {
		type = BPF_PROG_TYPE_RAW_TRACEPOINT;
	} else if (!strcmp(kind, "perf_event")) {
		type = BPF_PROG_TYPE_PERF_EVENT;
	} else if (!strcmp(kind, "kprobe")) {
		type = BPF_PROG_TYPE_KPROBE;
	} else if (!strcmp(kind, "tp_btf") || !strcmp(kind, "fentry")) {
		bool tp = !strcmp(kind, "tp_btf");
		type = BPF_PROG_TYPE_TRACING;
		opts.expected_attach_type = tp ? BPF_TRACE_RAW_TP : BPF_TRACE_FENTRY;
		id = btf_target(tp ? TRACEPOINT : KERNEL_FUNC, opts.expected_attach_type, kind);
		if (id < 0)
			return ENOENT;
		opts.attach_btf_id = (__u32)id;
	} else {
		kfr_set_error("unknown program kind '%s'", kind);
		return EINVAL;
	}
	fd = load(type, RETURN_0, 2, &opts);
	if (fd < 0)
		return fail(-fd, kind);
	if (type == BPF_PROG_TYPE_RAW_TRACEPOINT)
		link = bpf_raw_tracepoint_open(TRACEPOINT, fd);
	else if (type == BPF_PROG_TYPE_TRACING)
		link = bpf_raw_tracepoint_open(NULL, fd); /* the tracing link for tp_btf and fentry */
	else if (type == BPF_PROG_TYPE_KPROBE) {
		int err = attach_kprobe(fd);
		if (err) {
			close(fd);
			return err;
		}
		return close_ok(fd);
	} else /* tracepoint needs tracefs ids, perf_event a perf event: loading is the check */
		return close_ok(fd);
	if (link < 0) {
		int err = errno;
		close(fd);
		return fail(err, type == BPF_PROG_TYPE_RAW_TRACEPOINT ? "raw_tp: attach to " TRACEPOINT
				 : opts.expected_attach_type == BPF_TRACE_RAW_TP ? "tp_btf: attach to " TRACEPOINT
				 : "fentry: attach to " KERNEL_FUNC);
	}
	close(link);
	return close_ok(fd);
}

/* Type ids 1 (int) and 2 (long) in a BTF object loaded into the kernel: local storage maps need
 * typed keys and values. Returns the BTF fd or a negative errno. */
static int storage_btf(struct btf **out)
{
	struct btf *btf = btf__new_empty();
	int err;

	if (!btf)
		return -errno;
	if (btf__add_int(btf, "int", 4, BTF_INT_SIGNED) < 0 || btf__add_int(btf, "long", 8, BTF_INT_SIGNED) < 0) {
		btf__free(btf);
		return -EINVAL;
	}
	err = btf__load_into_kernel(btf);
	if (err) {
		err = errno ? -errno : err;
		btf__free(btf);
		return err;
	}
	*out = btf;
	return btf__fd(btf);
}

int kfr_probe_map(const char *kind)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts);
	enum bpf_map_type type;
	__u32 key = 4, value = 8, entries = 16;
	struct btf *btf = NULL;
	int fd;

	kfr_libbpf_log_init();
	kfr_clear_error();
	if (!strcmp(kind, "ringbuf")) {
		type = BPF_MAP_TYPE_RINGBUF;
		key = value = 0;
		entries = (__u32)sysconf(_SC_PAGESIZE);
	} else if (!strcmp(kind, "stack_trace")) {
		type = BPF_MAP_TYPE_STACK_TRACE;
		value = 127 * 8;
	} else if (!strcmp(kind, "hash")) {
		type = BPF_MAP_TYPE_HASH;
	} else if (!strcmp(kind, "lru_hash")) {
		type = BPF_MAP_TYPE_LRU_HASH;
	} else if (!strcmp(kind, "percpu_array")) {
		type = BPF_MAP_TYPE_PERCPU_ARRAY;
	} else if (!strcmp(kind, "task_storage")) {
		type = BPF_MAP_TYPE_TASK_STORAGE;
		entries = 0;
		opts.map_flags = BPF_F_NO_PREALLOC;
		int bfd = storage_btf(&btf);
		if (bfd < 0)
			return fail(-bfd, "task_storage: loading its BTF");
		opts.btf_fd = (__u32)bfd;
		opts.btf_key_type_id = 1;
		opts.btf_value_type_id = 2;
	} else {
		kfr_set_error("unknown map kind '%s'", kind);
		return EINVAL;
	}
	fd = bpf_map_create(type, "kfr_probe", key, value, entries, &opts);
	int err = fd < 0 ? errno : 0;
	btf__free(btf);
	if (fd < 0)
		return fail(err == EINVAL ? EOPNOTSUPP : err, kind);
	return close_ok(fd);
}

struct helper {
	const char *name;
	enum bpf_func_id id;
};

static const struct helper HELPERS[] = {
	{ "get_stackid", BPF_FUNC_get_stackid },
	{ "get_stack", BPF_FUNC_get_stack },
	{ "get_task_stack", BPF_FUNC_get_task_stack },
	{ "task_storage_get", BPF_FUNC_task_storage_get },
	{ "get_current_task_btf", BPF_FUNC_get_current_task_btf },
	{ "task_pt_regs", BPF_FUNC_task_pt_regs },
	{ "loop", BPF_FUNC_loop },
	{ "ringbuf_reserve", BPF_FUNC_ringbuf_reserve },
	{ "probe_read_user", BPF_FUNC_probe_read_user },
};

int kfr_probe_helper(const char *prog, const char *helper)
{
	LIBBPF_OPTS(bpf_prog_load_opts, opts);
	enum bpf_prog_type type;
	const struct helper *h = NULL;
	char what[96];
	int fd;

	kfr_libbpf_log_init();
	kfr_clear_error();
	for (size_t i = 0; i < sizeof(HELPERS) / sizeof(HELPERS[0]); i++)
		if (!strcmp(HELPERS[i].name, helper))
			h = &HELPERS[i];
	if (!h) {
		kfr_set_error("unknown helper '%s'", helper);
		return EINVAL;
	}
	snprintf(what, sizeof(what), "bpf_%s in %s", helper, prog);
	if (!strcmp(prog, "tp_btf")) {
		type = BPF_PROG_TYPE_TRACING;
		opts.expected_attach_type = BPF_TRACE_RAW_TP;
		int id = btf_target(TRACEPOINT, BPF_TRACE_RAW_TP, what);
		if (id < 0)
			return ENOENT;
		opts.attach_btf_id = (__u32)id;
	} else if (!strcmp(prog, "raw_tp")) {
		type = BPF_PROG_TYPE_RAW_TRACEPOINT;
	} else if (!strcmp(prog, "perf_event")) {
		type = BPF_PROG_TYPE_PERF_EVENT;
	} else {
		kfr_set_error("unknown program kind '%s'", prog);
		return EINVAL;
	}
	/* call helper; r0 = 0; exit. Arguments are left unset: the verifier complains about them only
	 * after it has accepted the helper itself. */
	const struct bpf_insn insns[] = {
		{ .code = BPF_JMP | BPF_CALL, .imm = h->id },
		RETURN_0[0],
		RETURN_0[1],
	};
	char *log = calloc(1, LOG_SIZE);
	if (!log) {
		kfr_set_error("%s: out of memory", what);
		return ENOMEM;
	}
	opts.log_buf = log;
	opts.log_size = LOG_SIZE;
	opts.log_level = 1;
	fd = load(type, insns, 3, &opts);
	int err = 0;
	if (fd >= 0) {
		close(fd);
	} else if (-fd == EPERM) {
		err = fail(EPERM, what);
	} else if (strstr(log, "unknown func") || strstr(log, "invalid func") || strstr(log, "cannot use helper")) {
		kfr_set_error("%s: the kernel does not offer this helper to %s programs", what, prog);
		err = EOPNOTSUPP;
	} else if (!*log) { /* no verifier verdict: the load failed before (e.g. program type unknown) */
		err = fail(-fd, what);
	}
	free(log);
	if (!err)
		kfr_clear_error();
	return err;
}

int kfr_probe_bpf_stats(void)
{
	kfr_clear_error();
	int fd = bpf_enable_stats(BPF_STATS_RUN_TIME);

	if (fd < 0) {
		int err = errno;
		if (err == EPERM || err == EACCES) {
			kfr_set_error("BPF run-time statistics: not permitted (%s): needs CAP_SYS_ADMIN",
				      err == EPERM ? "EPERM" : "EACCES");
			return err;
		}
		return fail(err, "BPF run-time statistics");
	}
	return close_ok(fd);
}

int kfr_probe_tracepoint(const char *name)
{
	char type[128];
	struct btf *btf;

	kfr_libbpf_log_init();
	kfr_clear_error();
	btf = btf__load_vmlinux_btf();
	if (!btf) {
		int err = errno ? errno : ENOENT;
		kfr_set_error("cannot read the kernel's BTF: %s", strerror(err));
		return err;
	}
	snprintf(type, sizeof(type), "btf_trace_%s", name);
	int id = btf__find_by_name_kind(btf, type, BTF_KIND_TYPEDEF);
	btf__free(btf);
	if (id < 0) {
		kfr_set_error("tracepoint %s is not in the kernel's BTF", name);
		return ENOENT;
	}
	return 0;
}
