#include "common/handles.h"

#include "common/collector.h"
#include "common/kfr_error.h"

#include <pthread.h>
#include <stddef.h>

#define MAX_HANDLES 64

struct slot {
	void *obj;
	const struct kfr_collector_ops *ops;
	int refs;
	int closing;
	uint32_t gen;
};

static struct slot slots[MAX_HANDLES];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t released = PTHREAD_COND_INITIALIZER;

/* handle = gen << 16 | (index + 1); gen starts at 1 and is bumped on every reuse */
static struct slot *find(uint64_t h)
{
	uint64_t idx = (h & 0xffff) - 1;

	if (!h || idx >= MAX_HANDLES)
		return NULL;
	struct slot *s = &slots[idx];
	if (!s->obj || (uint64_t)s->gen != (h >> 16))
		return NULL;
	return s;
}

uint64_t kfr_handle_add(void *obj, const struct kfr_collector_ops *ops)
{
	uint64_t h = 0;

	pthread_mutex_lock(&lock);
	for (int i = 0; i < MAX_HANDLES; i++) {
		struct slot *s = &slots[i];

		if (s->obj)
			continue;
		s->gen++;
		if (s->gen == 0 || s->gen > 0x7fffffffu)
			s->gen = 1;
		s->obj = obj;
		s->ops = ops;
		s->refs = 0;
		s->closing = 0;
		h = ((uint64_t)s->gen << 16) | (uint64_t)(i + 1);
		break;
	}
	pthread_mutex_unlock(&lock);
	return h;
}

void *kfr_handle_acquire(uint64_t h, const struct kfr_collector_ops *want, const struct kfr_collector_ops **ops,
			 const char *what)
{
	void *obj = NULL;

	pthread_mutex_lock(&lock);
	struct slot *s = find(h);
	if (s && (!want || s->ops == want) && !s->closing) {
		s->refs++;
		obj = s->obj;
		if (ops)
			*ops = s->ops;
	}
	pthread_mutex_unlock(&lock);
	if (!obj)
		kfr_set_error("%s: invalid or closed handle 0x%llx", what, (unsigned long long)h);
	return obj;
}

void kfr_handle_release(uint64_t h)
{
	pthread_mutex_lock(&lock);
	struct slot *s = find(h);
	if (s && s->refs > 0 && --s->refs == 0 && s->closing)
		pthread_cond_broadcast(&released);
	pthread_mutex_unlock(&lock);
}

void *kfr_handle_remove(uint64_t h, const struct kfr_collector_ops **ops)
{
	void *obj = NULL;

	pthread_mutex_lock(&lock);
	struct slot *s = find(h);
	if (s && !s->closing) {
		s->closing = 1;
		if (s->refs > 0)
			s->ops->wake(s->obj);
		while (s->refs > 0)
			pthread_cond_wait(&released, &lock);
		obj = s->obj;
		*ops = s->ops;
		s->obj = NULL;
		s->closing = 0;
	}
	pthread_mutex_unlock(&lock);
	return obj;
}
