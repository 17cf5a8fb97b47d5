/* libbpf side of the working-set collector (see workingset_loader.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "common/collector.h"
#include "common/kfr_error.h"
#include "common/map_util.h"
#include "common/ring_reader.h"
#include "hotspot/java_stack_ring.h"
#include "hotspot/java_maps.h"
#include "hotspot/kfr_walk_cfg.h"
#include "workingset/workingset_loader.h"
#include "workingset.skel.h"

/* The programs load twice when Java stacks are asked for: first without the walker (its
 * verification takes a second or more of a start, and what the JVM reads meanwhile would be missing
 * from the set), then with it, into the same maps, replacing the first while the JVM runs. */
struct kfr_ws {
	struct workingset_bpf *skel;  /* the programs recording (under lock) */
	struct workingset_bpf *first; /* the first programs once replaced: detached, kept for their run statistics */
	struct kfr_ring *rb;
	bool java;                /* the walker's programs run; they hold a reference to the shared Java maps */
	uint64_t wait_window_ns;
	int stats_fd;
	int wake_fd;
	int ncpu;
	bool detached;
	pthread_mutex_t lock;     /* detach, replacing the programs, the targets */
};

/* A record's size by its kind, or 0 when it is not one of ours. */
static size_t record_len(const void *data, size_t size)
{
	size_t n;

	if (size < sizeof(__u32))
		return 0;
	switch (*(const __u32 *)data) {
	case KFR_WS_REC_FILE:
		n = sizeof(struct kfr_ws_file_rec);
		break;
	case KFR_WS_REC_MISS:
		n = sizeof(struct kfr_ws_miss_rec);
		break;
	case KFR_WS_REC_WAIT:
		n = sizeof(struct kfr_ws_wait_rec);
		break;
	default:
		return 0;
	}
	return size >= n ? n : 0;
}

int kfr_ws_open(struct kfr_ws **out, pid_t tgid, uint64_t wait_window_ns, size_t ringbuf_bytes)
{
	struct kfr_ws *ws;
	int err;

	*out = NULL;
	kfr_libbpf_log_init();
	kfr_libbpf_log_reset();
	ws = calloc(1, sizeof(*ws));
	if (!ws)
		return -ENOMEM;
	pthread_mutex_init(&ws->lock, NULL);
	ws->stats_fd = -1;
	ws->ncpu = libbpf_num_possible_cpus();
	ws->wake_fd = kfr_wakeup_new();
	if (ws->wake_fd < 0 || ws->ncpu <= 0) {
		err = -EINVAL;
		kfr_set_error("workingset: eventfd or CPU count failed");
		goto fail;
	}
	ws->skel = workingset_bpf__open();
	if (!ws->skel) {
		err = -errno;
		kfr_set_error("workingset: cannot open the BPF object: %s", strerror(-err));
		goto fail;
	}
	ws->wait_window_ns = wait_window_ns;
	ws->skel->rodata->wait_window_ns = wait_window_ns;
	if (ringbuf_bytes)
		bpf_map__set_max_entries(ws->skel->maps.ws_events, ringbuf_bytes);
	ws->skel->rodata->walk_cfg.enabled = 0;
	err = workingset_bpf__load(ws->skel);
	if (err) {
		kfr_set_error("workingset: the BPF programs do not load (%s): %s", strerror(-err), kfr_libbpf_last());
		goto fail;
	}
	err = workingset_bpf__attach(ws->skel);
	if (err) {
		kfr_set_error("workingset: cannot attach to the filemap tracepoints (%s): %s", strerror(-err),
			      kfr_libbpf_last());
		goto fail;
	}
	ws->skel->bss->target_tgid = (uint32_t)tgid;
	ws->rb = kfr_ring_new(bpf_map__fd(ws->skel->maps.ws_events), 0, record_len, sizeof(struct kfr_ws_file_rec),
			      "workingset poll");
	if (!ws->rb) {
		err = -ENOMEM;
		goto fail;
	}
	const char *stats = getenv("KFR_BPF_STATS");
	if (!stats || strcmp(stats, "0"))
		ws->stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	*out = ws;
	return 0;
fail:
	kfr_ws_close(ws);
	return err < 0 ? err : -EINVAL;
}

void kfr_ws_set_target(struct kfr_ws *ws, pid_t tgid)
{
	pthread_mutex_lock(&ws->lock);
	__atomic_store_n(&ws->skel->bss->target_tgid, (uint32_t)tgid, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&ws->lock);
}

/* The maps the walker's programs share with the first ones: everything but their own .bss
 * (target, excluded thread, java_on) and the walker's maps. */
static int share_maps(struct workingset_bpf *to, struct workingset_bpf *from)
{
	struct { struct bpf_map *to, *from; } m[] = {
		{ to->maps.ws_chunks, from->maps.ws_chunks },
		{ to->maps.ws_files, from->maps.ws_files },
		{ to->maps.ws_pending, from->maps.ws_pending },
		{ to->maps.ws_stacks, from->maps.ws_stacks },
		{ to->maps.ws_events, from->maps.ws_events },
		{ to->maps.ws_counters, from->maps.ws_counters },
	};
	int err;

	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		if ((err = bpf_map__reuse_fd(m[i].to, bpf_map__fd(m[i].from))))
			return err;
	}
	return 0;
}

int kfr_ws_java_load(struct kfr_ws *ws, const struct kfr_walk_cfg *java)
{
	struct workingset_bpf *s;
	bool held = false;
	int err;

	if (__atomic_load_n(&ws->java, __ATOMIC_ACQUIRE))
		return 0;
	kfr_libbpf_log_reset();
	s = workingset_bpf__open();
	if (!s) {
		err = -errno;
		kfr_set_error("workingset: cannot open the BPF object: %s", strerror(-err));
		return err;
	}
	s->rodata->wait_window_ns = ws->wait_window_ns;
	s->rodata->walk_cfg = *java;
	s->rodata->walk_cfg.enabled = 1;
	s->bss->java_on = 1;
	if ((err = share_maps(s, ws->skel))) {
		kfr_set_error("workingset: sharing the maps with the walker's programs failed: %s", strerror(-err));
		goto fail;
	}
	if ((err = kfr_hs_java_maps_get(s->maps.java_threads, s->maps.java_seen, s->maps.java_stacks))) {
		kfr_set_error("workingset: sharing the Java maps failed: %s", strerror(-err));
		goto fail;
	}
	held = true;
	err = workingset_bpf__load(s);
	if (err) {
		kfr_set_error("workingset: the programs with the Java walker do not load (%s): %s", strerror(-err),
			      kfr_libbpf_last());
		goto fail;
	}
	if ((err = workingset_bpf__attach(s))) { /* no target yet: they record nothing */
		kfr_set_error("workingset: cannot attach the programs with the Java walker (%s): %s", strerror(-err),
			      kfr_libbpf_last());
		goto fail;
	}
	pthread_mutex_lock(&ws->lock);
	if (ws->detached) {
		pthread_mutex_unlock(&ws->lock);
		err = -ESRCH;
		kfr_set_error("workingset: the window ended before the Java walker was loaded");
		goto fail;
	}
	/* the new programs take over: for a moment both record (a miss may be sent twice), never neither */
	s->bss->excluded_tid = ws->skel->bss->excluded_tid;
	__atomic_store_n(&s->bss->target_tgid, ws->skel->bss->target_tgid, __ATOMIC_RELEASE);
	__atomic_store_n(&ws->skel->bss->target_tgid, 0, __ATOMIC_RELEASE);
	workingset_bpf__detach(ws->skel);
	ws->first = ws->skel;
	ws->skel = s;
	__atomic_store_n(&ws->java, true, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&ws->lock);
	return 0;
fail:
	workingset_bpf__destroy(s);
	if (held)
		kfr_hs_java_maps_put(NULL);
	return err < 0 ? err : -EINVAL;
}

void kfr_ws_java_on(struct kfr_ws *ws, bool on)
{
	pthread_mutex_lock(&ws->lock);
	if (ws->java)
		__atomic_store_n(&ws->skel->bss->java_on, on ? 1 : 0, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&ws->lock);
}

bool kfr_ws_java_enabled(const struct kfr_ws *ws)
{
	return __atomic_load_n(&ws->java, __ATOMIC_ACQUIRE);
}

/* Called once the walker runs (kfr_hs_java_start), when ws->skel is the walker's. */
int kfr_ws_java_thread(struct kfr_ws *ws, int tid, const struct kfr_java_thread *jt)
{
	return kfr_ws_java_enabled(ws) ? kfr_map_put_u32(bpf_map__fd(ws->skel->maps.java_threads), (uint32_t)tid, jt) : 0;
}

void kfr_ws_exclude_thread(struct kfr_ws *ws, pid_t tid)
{
	pthread_mutex_lock(&ws->lock);
	__atomic_store_n(&ws->skel->bss->excluded_tid, (uint32_t)tid, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&ws->lock);
}

int kfr_ws_poll(struct kfr_ws *ws, void *buf, size_t cap, int timeout_ms)
{
	return kfr_ring_read(ws->rb, buf, cap, timeout_ms, ws->wake_fd);
}

void kfr_ws_wake(struct kfr_ws *ws)
{
	if (ws)
		kfr_wakeup_signal(ws->wake_fd);
}

int kfr_ws_chunks(struct kfr_ws *ws, struct kfr_ws_chunk_key *keys, struct kfr_ws_chunk_val *vals, size_t max)
{
	int fd = bpf_map__fd(ws->skel->maps.ws_chunks);
	struct kfr_ws_chunk_key key, next;
	void *prev = NULL;
	size_t n = 0;

	while (n < max && bpf_map_get_next_key(fd, prev, &next) == 0) {
		if (bpf_map_lookup_elem(fd, &next, &vals[n]) == 0)
			keys[n++] = next;
		key = next;
		prev = &key;
	}
	return (int)n;
}

int kfr_ws_counters(struct kfr_ws *ws, int64_t *out, int len)
{
	int64_t all[KFR_WS_STAT_LEN] = { 0 }, miss[3] = { 0 };
	struct bpf_program *prog;
	int err = kfr_map_sum_percpu(bpf_map__fd(ws->skel->maps.ws_counters), KFR_WS_CNT_NR, ws->ncpu, all);

	if (err)
		return err;
	pthread_mutex_lock(&ws->lock);
	for (struct workingset_bpf *s = ws->skel; s; s = s == ws->skel ? ws->first : NULL) {
		kfr_prog_add_stats(s->progs.ws_add, miss);
		bpf_object__for_each_program(prog, s->obj)
			kfr_prog_add_stats(prog, &all[KFR_WS_CNT_NR + 2]);
	}
	pthread_mutex_unlock(&ws->lock);
	all[KFR_WS_CNT_NR] = miss[0];
	all[KFR_WS_CNT_NR + 1] = miss[1];
	if (len > KFR_WS_STAT_LEN)
		len = KFR_WS_STAT_LEN;
	memcpy(out, all, sizeof(int64_t) * (size_t)(len > 0 ? len : 0));
	return 0;
}

int kfr_ws_stack(struct kfr_ws *ws, int32_t stack_id, uint64_t *ips, int max)
{
	return kfr_map_stack_ips(bpf_map__fd(ws->skel->maps.ws_stacks), stack_id, ips, max);
}

int kfr_ws_detach(struct kfr_ws *ws)
{
	pthread_mutex_lock(&ws->lock);
	if (!ws->detached && ws->skel) {
		workingset_bpf__detach(ws->skel);
		ws->detached = true;
	}
	pthread_mutex_unlock(&ws->lock);
	return 0;
}

void kfr_ws_close(struct kfr_ws *ws)
{
	if (!ws)
		return;
	kfr_ring_free(ws->rb);
	workingset_bpf__destroy(ws->skel);
	workingset_bpf__destroy(ws->first);
	if (ws->java)
		kfr_hs_java_maps_put(NULL);
	if (ws->stats_fd >= 0)
		close(ws->stats_fd);
	if (ws->wake_fd >= 0)
		close(ws->wake_fd);
	pthread_mutex_destroy(&ws->lock);
	free(ws);
}

/* ---- the collector's table (common/collector.h) ----------------------------------------------- */

static int ops_poll(void *c, void *buf, size_t cap, int timeout_ms) { return kfr_ws_poll(c, buf, cap, timeout_ms); }
static void ops_wake(void *c) { kfr_ws_wake(c); }
static int ops_stack(void *c, int32_t id, uint64_t *ips, int max) { return kfr_ws_stack(c, id, ips, max); }
static int ops_stats(void *c, int64_t *out, int len) { return kfr_ws_counters(c, out, len); }
static int ops_detach(void *c) { return kfr_ws_detach(c); }
static void ops_close(void *c) { kfr_ws_close(c); }
static bool ops_java_enabled(const void *c) { return kfr_ws_java_enabled(c); }
static int ops_java_thread(void *c, int tid, const struct kfr_java_thread *jt) { return kfr_ws_java_thread(c, tid, jt); }

const struct kfr_collector_ops kfr_workingset_ops = {
	.name = "workingset",
	.poll = ops_poll,
	.wake = ops_wake,
	.stack = ops_stack,
	.stats = ops_stats,
	.stats_len = KFR_WS_STAT_LEN,
	.detach = ops_detach,
	.close = ops_close,
	.java_enabled = ops_java_enabled,
	.java_thread = ops_java_thread,
};
