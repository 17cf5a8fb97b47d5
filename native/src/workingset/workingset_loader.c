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
#include "hotspot/java_threads_map.h"
#include "hotspot/kfr_walk_cfg.h"
#include "workingset/workingset_loader.h"
#include "workingset.skel.h"

struct kfr_ws {
	struct workingset_bpf *skel;
	struct kfr_ring *rb;
	struct kfr_ring *jrb;     /* Java stack records; NULL without Java frames */
	bool java_map_held;       /* holds a reference to the shared java_threads map */
	int stats_fd;
	int wake_fd;
	int ncpu;
	bool detached;
	pthread_mutex_t lock; /* detach */
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

int kfr_ws_open(struct kfr_ws **out, pid_t tgid, uint64_t wait_window_ns, size_t ringbuf_bytes,
		const struct kfr_walk_cfg *java)
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
	ws->skel->rodata->wait_window_ns = wait_window_ns;
	if (ringbuf_bytes)
		bpf_map__set_max_entries(ws->skel->maps.ws_events, ringbuf_bytes);
	if (java)
		ws->skel->rodata->walk_cfg = *java;
	ws->skel->rodata->walk_cfg.enabled = java != NULL;
	if (java && (err = kfr_hs_java_threads_map_get(ws->skel->maps.java_threads))) {
		kfr_set_error("workingset: sharing the Java thread map failed: %s", strerror(-err));
		goto fail;
	}
	ws->java_map_held = java != NULL;
	err = workingset_bpf__load(ws->skel);
	if (!err && java)
		kfr_hs_java_threads_map_loaded(ws->skel->maps.java_threads);
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
	if (java && !(ws->jrb = kfr_java_stack_ring(bpf_map__fd(ws->skel->maps.java_stacks), "workingset Java stacks"))) {
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
	__atomic_store_n(&ws->skel->bss->target_tgid, (uint32_t)tgid, __ATOMIC_RELEASE);
}

void kfr_ws_java_on(struct kfr_ws *ws, bool on)
{
	if (ws->jrb)
		__atomic_store_n(&ws->skel->bss->java_on, on ? 1 : 0, __ATOMIC_RELEASE);
}

bool kfr_ws_java_enabled(const struct kfr_ws *ws)
{
	return ws->jrb != NULL;
}

int kfr_ws_java_stacks(struct kfr_ws *ws, void *buf, size_t cap)
{
	return ws->jrb ? kfr_ring_read(ws->jrb, buf, cap, 0, -1) : 0;
}

int kfr_ws_java_thread(struct kfr_ws *ws, int tid, const struct kfr_java_thread *jt)
{
	return ws->jrb ? kfr_map_put_u32(bpf_map__fd(ws->skel->maps.java_threads), (uint32_t)tid, jt) : 0;
}

int kfr_ws_java_forget(struct kfr_ws *ws)
{
	return ws->jrb ? kfr_map_clear_u64(bpf_map__fd(ws->skel->maps.java_seen)) : 0;
}

void kfr_ws_exclude_thread(struct kfr_ws *ws, pid_t tid)
{
	__atomic_store_n(&ws->skel->bss->excluded_tid, (uint32_t)tid, __ATOMIC_RELEASE);
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
	kfr_prog_add_stats(ws->skel->progs.ws_add, miss);
	all[KFR_WS_CNT_NR] = miss[0];
	all[KFR_WS_CNT_NR + 1] = miss[1];
	bpf_object__for_each_program(prog, ws->skel->obj)
		kfr_prog_add_stats(prog, &all[KFR_WS_CNT_NR + 2]);
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
	kfr_ring_free(ws->jrb);
	workingset_bpf__destroy(ws->skel);
	if (ws->java_map_held)
		kfr_hs_java_threads_map_put();
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
static int ops_java_stacks(void *c, void *buf, size_t cap) { return kfr_ws_java_stacks(c, buf, cap); }
static int ops_java_forget(void *c) { return kfr_ws_java_forget(c); }
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
	.java_stacks = ops_java_stacks,
	.java_forget = ops_java_forget,
	.java_thread = ops_java_thread,
};
