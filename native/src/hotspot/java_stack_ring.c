#include "hotspot/java_stack_ring.h"

#include <linux/types.h>

#include "hotspot/java_stack_records.h"

/* A record is its header and n frames: exactly that many bytes, or it is not one of ours. */
static size_t java_stack_len(const void *data, size_t size)
{
	const struct kfr_java_stack *r = data;

	if (size < KFR_JAVA_STACK_HDR || size != KFR_JAVA_STACK_HDR + (size_t)r->n * sizeof(struct kfr_java_frame))
		return 0;
	return size;
}

struct kfr_ring *kfr_java_stack_ring(int map_fd, const char *what)
{
	return kfr_ring_new(map_fd, 0, java_stack_len, sizeof(struct kfr_java_stack), what);
}
