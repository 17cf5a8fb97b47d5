/* The BPF side of common/stack_epochs.h: a collector declares two maps of struct kfr_stack_map and
 * a __u32 epoch in .bss (advanced by libkfr), and takes stacks with kfr_epoch_stackid. */
#ifndef KFR_STACK_EPOCHS_BPF_H
#define KFR_STACK_EPOCHS_BPF_H

#include "common/stack_epochs.h"

#ifndef KFR_EEXIST
#define KFR_EEXIST 17
#endif

struct kfr_stack_map {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, KFR_STACK_BUCKETS);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, 127 * sizeof(__u64));
};

/* bpf_get_stackid into map (epoch & 1), the id tagged with the epoch; < 0: the error, and
 * *collided says whether it was a taken bucket (EEXIST: the map filling up). */
static __always_inline long kfr_epoch_stackid(void *ctx, void *map0, void *map1, __u32 epoch, __u64 flags,
					      bool *collided)
{
	long id = (epoch & 1) ? bpf_get_stackid(ctx, map1, flags) : bpf_get_stackid(ctx, map0, flags);

	*collided = id == -KFR_EEXIST;
	if (id < 0)
		return id;
	return id | ((long)(epoch & KFR_STACK_EPOCH_MASK) << KFR_STACK_EPOCH_SHIFT);
}

#endif
