#include "hotspot/java_maps.h"

#include <errno.h>
#include <pthread.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "common/map_util.h"
#include "common/ring_reader.h"
#include "hotspot/java_stack_ring.h"

/* Collectors whose BPF caches Java stack ids at once: off-CPU, and the self-test's off-CPU object. */
#define MAX_GENERATIONS 8

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int threads_fd = -1, seen_fd = -1, stacks_fd = -1; /* our own descriptors, -1 while none */
static struct kfr_ring *ring;
static int users;
static uint32_t *generations[MAX_GENERATIONS];

/* A map like m (type, sizes, flags) into *fd; 0 or -errno. */
static int create_like(const struct bpf_map *m, const char *name, int *fd)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = bpf_map__map_flags(m));
	int created = bpf_map_create(bpf_map__type(m), name, bpf_map__key_size(m), bpf_map__value_size(m),
				     bpf_map__max_entries(m), &opts);

	if (created < 0)
		return -errno;
	*fd = created;
	return 0;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void close_all(void)
{
	kfr_ring_free(ring);
	ring = NULL;
	close_fd(&threads_fd);
	close_fd(&seen_fd);
	close_fd(&stacks_fd);
}

/* Under lock: the shared maps and their reader, created from this object's definitions. */
static int create_shared(struct bpf_map *threads, struct bpf_map *seen, struct bpf_map *stacks)
{
	int err;

	if ((err = create_like(threads, "java_threads", &threads_fd)) || (err = create_like(seen, "java_seen", &seen_fd)) ||
	    (err = create_like(stacks, "java_stacks", &stacks_fd))) {
		close_all();
		return err;
	}
	if (!(ring = kfr_java_stack_ring(stacks_fd, "javaStacks"))) {
		close_all();
		return -ENOMEM;
	}
	return 0;
}

int kfr_hs_java_maps_get(struct bpf_map *threads, struct bpf_map *seen, struct bpf_map *stacks)
{
	int err = 0;

	pthread_mutex_lock(&lock);
	if (threads_fd < 0)
		err = create_shared(threads, seen, stacks);
	if (!err && !(err = bpf_map__reuse_fd(threads, threads_fd)) && !(err = bpf_map__reuse_fd(seen, seen_fd)))
		err = bpf_map__reuse_fd(stacks, stacks_fd);
	if (!err)
		users++;
	else if (!users)
		close_all();
	pthread_mutex_unlock(&lock);
	return err;
}

void kfr_hs_java_maps_generation(uint32_t *generation)
{
	pthread_mutex_lock(&lock);
	for (int i = 0; i < MAX_GENERATIONS; i++) {
		if (!generations[i]) {
			generations[i] = generation;
			break;
		}
	}
	pthread_mutex_unlock(&lock);
}

void kfr_hs_java_maps_put(uint32_t *generation)
{
	pthread_mutex_lock(&lock);
	for (int i = 0; generation && i < MAX_GENERATIONS; i++) {
		if (generations[i] == generation)
			generations[i] = NULL;
	}
	if (users > 0 && --users == 0)
		close_all();
	pthread_mutex_unlock(&lock);
}

int kfr_hs_java_stacks_read(void *buf, size_t cap)
{
	int n = 0;

	pthread_mutex_lock(&lock);
	if (ring)
		n = kfr_ring_read(ring, buf, cap, 0, -1);
	pthread_mutex_unlock(&lock);
	return n;
}

int kfr_hs_java_stacks_forget(void)
{
	int n = 0;

	pthread_mutex_lock(&lock);
	if (seen_fd >= 0) {
		n = kfr_map_clear(seen_fd);
		/* after the clear: cached ids walked from now on are announced again */
		for (int i = 0; i < MAX_GENERATIONS; i++) {
			if (generations[i])
				__atomic_add_fetch(generations[i], 1, __ATOMIC_RELEASE);
		}
	}
	pthread_mutex_unlock(&lock);
	return n;
}
