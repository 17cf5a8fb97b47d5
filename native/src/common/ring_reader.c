#include "common/ring_reader.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "common/kfr_error.h"

struct kfr_ring {
	struct ring_buffer *rb;
	size_t record_size;          /* fixed-size records; 0: variable */
	kfr_ring_record_len record_len;
	size_t max_record;           /* largest record: stop once another might not fit */
	const char *what;
	pthread_mutex_t lock;
	/* the current read's destination (under lock) */
	unsigned char *buf;
	size_t cap;
	size_t len;
};

/* libbpf (1.1 and later) advances the consumer position before calling this, so a negative
 * return still consumes the record. Hence: copy the record, and stop only once the buffer has
 * no room for another one (the rest stays in the ring). */
static int on_record(void *ctx, void *data, size_t size)
{
	struct kfr_ring *r = ctx;
	size_t n = r->record_size ? (size >= r->record_size ? r->record_size : 0) : r->record_len(data, size);

	if (n == 0 || n > r->max_record)
		return 0; /* not a record of ours: cannot happen */
	memcpy(r->buf + r->len, data, n);
	r->len += n;
	return r->len + r->max_record > r->cap ? -ENOBUFS : 0;
}

struct kfr_ring *kfr_ring_new(int map_fd, size_t record_size, kfr_ring_record_len record_len, size_t max_record,
			      const char *what)
{
	struct kfr_ring *r = calloc(1, sizeof(*r));

	if (!r) {
		kfr_set_error("%s: out of memory", what);
		return NULL;
	}
	r->record_size = record_size;
	r->record_len = record_len;
	r->max_record = record_size ? record_size : max_record;
	r->what = what;
	pthread_mutex_init(&r->lock, NULL);
	r->rb = ring_buffer__new(map_fd, on_record, r, NULL);
	if (!r->rb) {
		kfr_set_error("%s: ring buffer setup failed: %s", what, strerror(errno));
		pthread_mutex_destroy(&r->lock);
		free(r);
		return NULL;
	}
	return r;
}

int kfr_ring_read(struct kfr_ring *r, void *buf, size_t cap, int timeout_ms, int wake_fd)
{
	int err;

	if (!buf || cap < r->max_record) {
		kfr_set_error("%s: buffer of %zu bytes cannot hold one %zu-byte record", r->what, cap, r->max_record);
		return -EINVAL;
	}
	pthread_mutex_lock(&r->lock);
	r->buf = buf;
	r->cap = cap;
	r->len = 0;
	/* take what is there without waiting; wait only when the ring is empty */
	err = ring_buffer__consume(r->rb);
	if (r->len == 0 && err >= 0 && timeout_ms > 0) {
		/* libbpf's epoll set and the wake-up eventfd; read the ring whatever ended the wait */
		struct pollfd pfd[2] = {
			{ .fd = ring_buffer__epoll_fd(r->rb), .events = POLLIN },
			{ .fd = wake_fd, .events = POLLIN },
		};
		int n = poll(pfd, wake_fd >= 0 ? 2 : 1, timeout_ms);

		if (n > 0 && wake_fd >= 0 && (pfd[1].revents & POLLIN)) {
			uint64_t v;
			if (read(wake_fd, &v, sizeof(v)) < 0) { /* nothing to do */ }
		}
		if (n >= 0 || errno == EINTR)
			err = ring_buffer__consume(r->rb);
		else
			err = -errno;
	}
	size_t len = r->len;
	r->buf = NULL;
	pthread_mutex_unlock(&r->lock);
	if (err < 0 && err != -ENOBUFS && len == 0) {
		kfr_set_error("%s: ring buffer read failed: %s", r->what, strerror(-err));
		return err;
	}
	return (int)(r->record_size ? len / r->record_size : len);
}

void kfr_ring_free(struct kfr_ring *r)
{
	if (!r)
		return;
	ring_buffer__free(r->rb);
	pthread_mutex_destroy(&r->lock);
	free(r);
}

int kfr_wakeup_new(void)
{
	return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}

void kfr_wakeup_signal(int wake_fd)
{
	uint64_t one = 1;

	if (wake_fd >= 0 && write(wake_fd, &one, sizeof(one)) < 0) { /* counter saturated: a wake-up is pending */ }
}
