#include "hotspot/java_threads_map.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#include <bpf/libbpf.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int shared_fd = -1; /* our own descriptor of the shared map, -1 while none */
static int users;

int kfr_hs_java_threads_map_get(struct bpf_map *map)
{
	int err = 0;

	pthread_mutex_lock(&lock);
	if (shared_fd >= 0)
		err = bpf_map__reuse_fd(map, shared_fd);
	if (!err)
		users++;
	pthread_mutex_unlock(&lock);
	return err;
}

void kfr_hs_java_threads_map_loaded(struct bpf_map *map)
{
	pthread_mutex_lock(&lock);
	/* opened at the same time as another collector: that one's map may have become the shared
	 * one meanwhile; this collector then keeps its own (both are kept current) */
	if (shared_fd < 0)
		shared_fd = fcntl(bpf_map__fd(map), F_DUPFD_CLOEXEC, 0);
	pthread_mutex_unlock(&lock);
}

void kfr_hs_java_threads_map_put(void)
{
	pthread_mutex_lock(&lock);
	if (users > 0 && --users == 0 && shared_fd >= 0) {
		close(shared_fd);
		shared_fd = -1;
	}
	pthread_mutex_unlock(&lock);
}
