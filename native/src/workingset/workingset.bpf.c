// SPDX-License-Identifier: GPL-2.0
/* Working-set collector: which pages of which files the threads of one process bring into the
 * page cache or touch while it starts, and which of its threads waited for them.
 *
 * mm_filemap_add_to_page_cache  a folio read from disk: set its pages (and their "missed" bits),
 *                               send a MISS record with the thread and its stacks
 * mm_filemap_get_pages          read() of a range, cached or not: set the range
 * mm_filemap_fault              a fault on a file mapping: set the page
 * mm_filemap_map_pages          fault-around mapped cached pages: set the range
 * sched_switch                  a target thread that sleeps uninterruptibly within wait_window_ns
 *                               of its last miss: on switch-in, a WAIT record with the duration
 *
 * A miss of a Java thread carries its Java stack (the HotSpot walker, hotspot_walk.bpf.h, as the
 * CPU sampler: from the thread's anchor when it left Java code for a read; from its user registers
 * when it faulted in Java code). Misses are few beside the other events, so the walk is only there.
 *
 * Only regular files. Pages already cached are part of the set too (a warm start records what a
 * cold start would read). The first sight of a (device, inode) sends its path, walked up the
 * dentries to the filesystem's root; user space adds the mount point. Tracepoints only (tp_btf):
 * this project's kernels allow no kprobes. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "workingset/workingset_records.h"
#include "hotspot/java_stack_records.h"
#include "hotspot/hotspot_walk.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define S_IFMT   00170000
#define S_IFREG  0100000
#define TASK_UNINTERRUPTIBLE 0x0002
#define TASK_NOLOAD          0x0400
#define MAX_RANGE_CHUNKS     32      /* 2048 pages (8 MB) per event; longer ranges are cut, counted */
#define MAX_STACK_DEPTH      127

/* The process recorded; written by the loader through the mmapped .bss, so that a process can be
 * named after the programs are attached (a command started by `kfr workingset record` waits for it). */
__u32 target_tgid = 0;
/* A thread of the target whose reads are not the program's own (kfr's prefetch thread), 0: none. */
__u32 excluded_tid = 0;

/* Java stacks on misses, set by the loader (the walker is loaded, walk_cfg.enabled, whenever the
 * JVM's layout is known; user space clears this if kfr's self-test of Java frames fails). */
__u32 java_on = 0;

/* Set by the loader before load. */
const volatile __u64 wait_window_ns = 20000000;
const volatile __u8 take_stacks = 1;

/* Not preallocated: a start fills a few thousand of these entries, and preallocating all of them
 * would take ~23 MB of kernel memory (charged to the JVM's cgroup) and ~40 ms at load. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 262144);    /* 16M pages, 64 GB of file data */
	__type(key, struct kfr_ws_chunk_key);
	__type(value, struct kfr_ws_chunk_val);
} ws_chunks SEC(".maps");

struct file_key {
	__u64 dev;
	__u64 ino;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 65536);
	__type(key, struct file_key);
	__type(value, __u32);
} ws_files SEC(".maps");

/* A thread's last miss, and when it went to sleep after it. */
struct pending {
	__u64 miss_ns;
	__u64 dev;
	__u64 ino;
	__u64 index;
	__u64 sleep_ns;     /* 0: not asleep */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct pending);
} ws_pending SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 16384);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, MAX_STACK_DEPTH * sizeof(__u64));
} ws_stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 << 20);
} ws_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, KFR_WS_CNT_NR);
	__type(key, __u32);
	__type(value, __u64);
} ws_counters SEC(".maps");

static __always_inline void count(__u32 idx)
{
	__u64 *c = bpf_map_lookup_elem(&ws_counters, &idx);

	if (c)
		(*c)++;
}

static __always_inline bool is_target(void)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 t = target_tgid;

	return t && (__u32)(id >> 32) == t && (__u32)id != excluded_tid;
}

/* st_dev as user space sees it (glibc makedev) from the kernel's dev_t (major << 20 | minor). */
static __always_inline __u64 user_dev(__u32 kdev)
{
	__u64 major = kdev >> 20, minor = kdev & 0xfffff;

	return ((major & 0xfffff000ULL) << 32) | ((major & 0xfff) << 8) |
	       ((minor & 0xffffff00ULL) << 12) | (minor & 0xff);
}

/* The regular file behind a mapping: false for anything else (block devices, shmem, ...). */
static __always_inline bool file_of(struct address_space *mapping, struct inode **host, struct file_key *fk)
{
	struct inode *inode = BPF_CORE_READ(mapping, host);
	__u16 mode;

	if (!inode)
		return false;
	mode = BPF_CORE_READ(inode, i_mode);
	if ((mode & S_IFMT) != S_IFREG)
		return false;
	fk->dev = user_dev(BPF_CORE_READ(inode, i_sb, s_dev));
	fk->ino = BPF_CORE_READ(inode, i_ino);
	*host = inode;
	return true;
}

/* First sight of a file: its path, leaf first, one NUL-terminated component after another. */
static __always_inline void announce(struct inode *inode, struct file_key *fk)
{
	__u32 one = 1, off = 0;
	struct kfr_ws_file_rec *rec;
	struct hlist_node *first;
	struct dentry *d, *parent;

	if (bpf_map_update_elem(&ws_files, fk, &one, BPF_NOEXIST))
		return;                 /* seen already (or the map is full: the path stays unknown) */
	rec = bpf_ringbuf_reserve(&ws_events, sizeof(*rec), 0);
	if (!rec) {
		count(KFR_WS_CNT_RB_FULL);
		bpf_map_delete_elem(&ws_files, fk);   /* try again at the next event */
		return;
	}
	rec->kind = KFR_WS_REC_FILE;
	rec->dev = fk->dev;
	rec->ino = fk->ino;
	rec->complete = 0;
	rec->pad = 0;
	first = BPF_CORE_READ(inode, i_dentry.first);
	d = first ? (struct dentry *)((void *)first - bpf_core_field_offset(struct dentry, d_u.d_alias)) : NULL;
	for (int i = 0; i < KFR_WS_MAX_DEPTH && d; i++) {
		long n;

		parent = BPF_CORE_READ(d, d_parent);
		if (parent == d) {
			rec->complete = 1;
			break;
		}
		if (off > KFR_WS_PATH_BYTES - 1)
			break;
		n = bpf_probe_read_kernel_str(&rec->path[off & (KFR_WS_PATH_BYTES - 1)], KFR_WS_NAME_BYTES,
					      BPF_CORE_READ(d, d_name.name));
		if (n <= 0)
			break;
		off += n;
		d = parent;
	}
	rec->path_len = off;
	bpf_ringbuf_submit(rec, 0);
	count(KFR_WS_CNT_FILES);
}

/* Sets pages first..last (inclusive) of a file in the set. */
static __always_inline void mark(struct file_key *fk, __u64 first, __u64 last, bool missed)
{
	__u64 c0 = first / KFR_WS_CHUNK_PAGES, c1 = last / KFR_WS_CHUNK_PAGES;

	if (last < first)
		return;
	if (c1 - c0 >= MAX_RANGE_CHUNKS) {
		count(KFR_WS_CNT_RANGE_CUT);
		c1 = c0 + MAX_RANGE_CHUNKS - 1;
		last = c1 * KFR_WS_CHUNK_PAGES + KFR_WS_CHUNK_PAGES - 1;
	}
	for (__u32 i = 0; i < MAX_RANGE_CHUNKS; i++) {
		struct kfr_ws_chunk_key key = { .dev = fk->dev, .ino = fk->ino, .chunk = c0 + i };
		struct kfr_ws_chunk_val *v;
		__u64 lo, hi, mask;

		if (key.chunk > c1)
			break;
		lo = key.chunk == c0 ? first % KFR_WS_CHUNK_PAGES : 0;
		hi = key.chunk == c1 ? last % KFR_WS_CHUNK_PAGES : KFR_WS_CHUNK_PAGES - 1;
		mask = (hi == 63 ? ~0ULL : ((1ULL << (hi + 1)) - 1)) & ~((1ULL << lo) - 1);
		v = bpf_map_lookup_elem(&ws_chunks, &key);
		if (!v) {
			struct kfr_ws_chunk_val zero = {};

			bpf_map_update_elem(&ws_chunks, &key, &zero, BPF_NOEXIST);
			v = bpf_map_lookup_elem(&ws_chunks, &key);
			if (!v) {
				count(KFR_WS_CNT_CHUNK_FULL);
				return;
			}
		}
		__sync_fetch_and_or(&v->pages, mask);
		if (missed)
			__sync_fetch_and_or(&v->missed, mask);
	}
}

static __always_inline void add(__u32 idx, __u64 n)
{
	__u64 *c = bpf_map_lookup_elem(&ws_counters, &idx);

	if (c)
		*c += n;
}

/* The Java stack of the current thread, which is in the kernel (a read, a fault): from its anchor
 * if it left Java code, else from the user registers it entered the kernel with. */
static __always_inline __u64 java_ref(__u32 tid)
{
	const struct kfr_java_thread *jt;
	struct jw_result res = {};
	struct pt_regs *u;
	__u64 an[3], id, t0;

	if (!walk_cfg.enabled || !java_on)
		return KFR_JAVA_NONE;
	jt = bpf_map_lookup_elem(&java_threads, &tid);
	if (!jt)
		return KFR_JAVA_NONE;
	t0 = bpf_ktime_get_ns();
	if (!java_anchor(jt, an) && an[0]) {
		id = java_walk(tid, jt, an, NULL, &res);
	} else {
		u = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
		if (!u) {
			count(KFR_WS_CNT_JAVA_NO_ANCHOR);
			return KFR_JAVA_NO_ANCHOR;
		}
		id = java_walk_regs(tid, jt, u->ip, u->sp, u->bp, u->r13, &res);
		if (id == KFR_JAVA_NO_ANCHOR) {
			count(KFR_WS_CNT_JAVA_NO_ANCHOR);
			return id;
		}
		count(KFR_WS_CNT_JAVA_FROM_REGS);
	}
	add(KFR_WS_CNT_JAVA_WALK_NS, bpf_ktime_get_ns() - t0);
	count(KFR_WS_CNT_JAVA_WALK);
	add(KFR_WS_CNT_JAVA_FRAMES, res.frames);
	if (res.flags & JW_SENT)
		count(KFR_WS_CNT_JAVA_SENT);
	if (res.flags & JW_LOST)
		count(KFR_WS_CNT_JAVA_LOST);
	if (res.flags & JW_BROKEN)
		count(KFR_WS_CNT_JAVA_BROKEN);
	return id;
}

static __always_inline int touched(void *ctx, struct address_space *mapping, __u64 first, __u64 last)
{
	struct file_key fk;
	struct inode *inode;

	if (!is_target() || !file_of(mapping, &inode, &fk))
		return 0;
	count(KFR_WS_CNT_EVENTS);
	announce(inode, &fk);
	mark(&fk, first, last, false);
	return 0;
}

/* A page added while the thread is in a write system call is the write's new page, not data read
 * from disk: it belongs neither to the set (the next start writes anew) nor to the misses. The
 * task's saved user registers say which system call it is in: orig_ax holds the call's number, and
 * -1 in a fault (the fault entry overwrites the error code), so a fault in Java or native code is
 * never taken for one. copy_file_range and sendfile are not in the list: they read their source. */
static __always_inline bool in_write_syscall(void)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	long nr = BPF_CORE_READ(regs, orig_ax);

	return nr == 1 /* write */ || nr == 18 /* pwrite64 */ || nr == 20 /* writev */ ||
	       nr == 296 /* pwritev */ || nr == 328 /* pwritev2 */;
}

SEC("tp_btf/mm_filemap_add_to_page_cache")
int BPF_PROG(ws_add, struct folio *folio)
{
	struct address_space *mapping = BPF_CORE_READ(folio, mapping);
	struct kfr_ws_miss_rec *rec;
	struct pending p = {};
	struct file_key fk;
	struct inode *inode;
	__u64 index, pages = 1, flags, jref;
	__u32 tid;

	if (!is_target() || !file_of(mapping, &inode, &fk))
		return 0;
	count(KFR_WS_CNT_EVENTS);
	index = BPF_CORE_READ(folio, index);
	flags = BPF_CORE_READ(folio, flags.f);
	if (flags & (1ULL << bpf_core_enum_value(enum pageflags, PG_head)))
		pages = 1ULL << (BPF_CORE_READ(folio, _flags_1) & 0xff);
	if (in_write_syscall()) {
		add(KFR_WS_CNT_WRITE_ADDS, pages);
		return 0;
	}
	announce(inode, &fk);
	mark(&fk, index, index + pages - 1, true);

	tid = (__u32)bpf_get_current_pid_tgid();
	p.miss_ns = bpf_ktime_get_ns();
	p.dev = fk.dev;
	p.ino = fk.ino;
	p.index = index;
	bpf_map_update_elem(&ws_pending, &tid, &p, BPF_ANY);

	jref = java_ref(tid); /* its stack record goes out before the miss that refers to it */
	rec = bpf_ringbuf_reserve(&ws_events, sizeof(*rec), 0);
	if (!rec) {
		count(KFR_WS_CNT_RB_FULL);
		return 0;
	}
	rec->kind = KFR_WS_REC_MISS;
	rec->tid = tid;
	rec->ts_ns = p.miss_ns;
	rec->dev = fk.dev;
	rec->ino = fk.ino;
	rec->index = index;
	rec->pages = (__u32)pages;
	rec->ustack_id = take_stacks ? bpf_get_stackid(ctx, &ws_stacks, BPF_F_USER_STACK) : -1;
	rec->kstack_id = take_stacks ? bpf_get_stackid(ctx, &ws_stacks, 0) : -1;
	rec->pad = 0;
	rec->java_ref = jref;
	bpf_ringbuf_submit(rec, 0);
	count(KFR_WS_CNT_MISSES);
	return 0;
}

SEC("tp_btf/mm_filemap_get_pages")
int BPF_PROG(ws_read, struct address_space *mapping, unsigned long index, unsigned long last_index)
{
	return touched(ctx, mapping, index, last_index);
}

SEC("tp_btf/mm_filemap_fault")
int BPF_PROG(ws_fault, struct address_space *mapping, unsigned long index)
{
	return touched(ctx, mapping, index, index);
}

SEC("tp_btf/mm_filemap_map_pages")
int BPF_PROG(ws_map, struct address_space *mapping, unsigned long start, unsigned long end)
{
	return touched(ctx, mapping, start, end);
}

SEC("tp_btf/sched_switch")
int BPF_PROG(ws_switch, bool preempt, struct task_struct *prev, struct task_struct *next,
	     unsigned int prev_state)
{
	__u32 tid, t = target_tgid;
	struct pending *p;
	__u64 now;

	if (!t)
		return 0;
	if (BPF_CORE_READ(prev, tgid) == t &&
	    (prev_state & (TASK_UNINTERRUPTIBLE | TASK_NOLOAD)) == TASK_UNINTERRUPTIBLE) {
		tid = BPF_CORE_READ(prev, pid);
		p = bpf_map_lookup_elem(&ws_pending, &tid);
		if (p && !p->sleep_ns) {
			now = bpf_ktime_get_ns();
			if (now - p->miss_ns <= wait_window_ns)
				p->sleep_ns = now;
			else
				bpf_map_delete_elem(&ws_pending, &tid);
		}
	}
	if (BPF_CORE_READ(next, tgid) == t) {
		struct kfr_ws_wait_rec *rec;

		tid = BPF_CORE_READ(next, pid);
		p = bpf_map_lookup_elem(&ws_pending, &tid);
		if (!p || !p->sleep_ns)
			return 0;
		now = bpf_ktime_get_ns();
		rec = bpf_ringbuf_reserve(&ws_events, sizeof(*rec), 0);
		if (rec) {
			rec->kind = KFR_WS_REC_WAIT;
			rec->tid = tid;
			rec->start_ns = p->sleep_ns;
			rec->duration_ns = now - p->sleep_ns;
			rec->dev = p->dev;
			rec->ino = p->ino;
			rec->index = p->index;
			bpf_ringbuf_submit(rec, 0);
			count(KFR_WS_CNT_WAITS);
		} else {
			count(KFR_WS_CNT_RB_FULL);
		}
		bpf_map_delete_elem(&ws_pending, &tid);
	}
	return 0;
}
