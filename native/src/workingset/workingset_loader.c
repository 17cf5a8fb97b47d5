/* libbpf side of the working-set collector (see workingset_loader.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "kfr_error.h"
#include "map_util.h"
#include "workingset_loader.h"
#include "workingset.skel.h"

struct kfr_ws {
	struct workingset_bpf *skel;
	struct ring_buffer *rb;
	kfr_ws_record_fn fn;
	void *fn_ctx;
	int ncpu;
};

static int on_record(void *ctx, void *data, size_t size)
{
	struct kfr_ws *ws = ctx;

	return ws->fn ? ws->fn(ws->fn_ctx, data, size) : 0;
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
	ws->ncpu = libbpf_num_possible_cpus();
	ws->skel = workingset_bpf__open();
	if (!ws->skel) {
		err = -errno;
		kfr_set_error("workingset: cannot open the BPF object: %s", strerror(-err));
		goto fail;
	}
	ws->skel->rodata->wait_window_ns = wait_window_ns;
	if (ringbuf_bytes)
		bpf_map__set_max_entries(ws->skel->maps.ws_events, ringbuf_bytes);
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
	ws->rb = ring_buffer__new(bpf_map__fd(ws->skel->maps.ws_events), on_record, ws, NULL);
	if (!ws->rb) {
		err = -errno;
		kfr_set_error("workingset: cannot read the ring buffer: %s", strerror(-err));
		goto fail;
	}
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

void kfr_ws_exclude_thread(struct kfr_ws *ws, pid_t tid)
{
	__atomic_store_n(&ws->skel->bss->excluded_tid, (uint32_t)tid, __ATOMIC_RELEASE);
}

int kfr_ws_poll(struct kfr_ws *ws, int timeout_ms, kfr_ws_record_fn fn, void *ctx)
{
	int n;

	ws->fn = fn;
	ws->fn_ctx = ctx;
	n = ring_buffer__poll(ws->rb, timeout_ms);
	ws->fn = NULL;
	return n == -EINTR ? 0 : n;
}

struct copy_ctx {
	unsigned char *buf;
	size_t len, cap;
};

#define REC_SLOT(size) ((8 + (size) + 7) & ~(size_t)7)

static int copy_record(void *ctx, const void *rec, size_t size)
{
	struct copy_ctx *c = ctx;
	uint32_t hdr[2] = { (uint32_t)size, 0 };

	if (c->cap - c->len < REC_SLOT(size))
		return -ENOBUFS;        /* cannot happen: checked after the previous record */
	memcpy(c->buf + c->len, hdr, 8);
	memcpy(c->buf + c->len + 8, rec, size);
	memset(c->buf + c->len + 8 + size, 0, REC_SLOT(size) - 8 - size);
	c->len += REC_SLOT(size);
	/* a record handed to this callback is consumed: stop while the largest one still fits */
	return c->cap - c->len < REC_SLOT(sizeof(struct kfr_ws_file_rec)) ? -ENOBUFS : 0;
}

int kfr_ws_poll_into(struct kfr_ws *ws, int timeout_ms, unsigned char *buf, size_t cap)
{
	struct copy_ctx c = { .buf = buf, .len = 0, .cap = cap };
	int n;

	if (cap < REC_SLOT(sizeof(struct kfr_ws_file_rec)))
		return -EINVAL;
	n = kfr_ws_poll(ws, timeout_ms, copy_record, &c);
	return n < 0 && n != -ENOBUFS ? n : (int)c.len;
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

int kfr_ws_counters(struct kfr_ws *ws, int64_t *out)
{
	return kfr_map_sum_percpu(bpf_map__fd(ws->skel->maps.ws_counters), KFR_WS_CNT_NR, ws->ncpu, out);
}

int kfr_ws_stack(struct kfr_ws *ws, int32_t stack_id, uint64_t *ips, int max)
{
	return kfr_map_stack_ips(bpf_map__fd(ws->skel->maps.ws_stacks), stack_id, ips, max);
}

void kfr_ws_close(struct kfr_ws *ws)
{
	if (!ws)
		return;
	ring_buffer__free(ws->rb);
	workingset_bpf__destroy(ws->skel);
	free(ws);
}
