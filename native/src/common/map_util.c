#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/types.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "common/map_util.h"
#include "common/stack_epochs.h"

#define MAX_STACK_DEPTH 127

int kfr_map_clear(int fd)
{
	/* 8 bytes hold any key this is used for; the kernel reads and writes only the map's key size
	 * (little-endian: the low bytes), and the rest stays 0 */
	uint64_t key = 0, next = 0;
	int n = 0;

	/* take the next key before deleting the current one, so the walk never restarts */
	int err = bpf_map_get_next_key(fd, NULL, &key);
	while (!err) {
		int has_next = bpf_map_get_next_key(fd, &key, &next) == 0;

		if (!bpf_map_delete_elem(fd, &key))
			n++;
		if (!has_next)
			break;
		key = next;
	}
	return n;
}

int kfr_epoch_stack_ips(int fd0, int fd1, uint32_t current, int32_t id, uint64_t *ips, int max)
{
	uint32_t epoch = ((uint32_t)id >> KFR_STACK_EPOCH_SHIFT) & KFR_STACK_EPOCH_MASK;

	if (id < 0)
		return 0;
	current &= KFR_STACK_EPOCH_MASK;
	if (epoch != current && epoch != ((current - 1) & KFR_STACK_EPOCH_MASK))
		return -ESTALE;
	return kfr_map_stack_ips((epoch & 1) ? fd1 : fd0, id & KFR_STACK_BUCKET_MASK, ips, max);
}

int kfr_next_stack_epoch(uint32_t *epoch, int fd0, int fd1)
{
	uint32_t next = __atomic_load_n(epoch, __ATOMIC_RELAXED) + 1;
	int cleared = kfr_map_clear((next & 1) ? fd1 : fd0);

	__atomic_store_n(epoch, next, __ATOMIC_SEQ_CST);
	return cleared;
}

int kfr_map_put_u32(int fd, uint32_t key, const void *value)
{
	if (!value)
		return bpf_map_delete_elem(fd, &key) && errno != ENOENT ? -errno : 0;
	return bpf_map_update_elem(fd, &key, value, BPF_ANY) ? -errno : 0;
}

int kfr_map_stack_ips(int fd, int32_t stack_id, uint64_t *ips, int max)
{
	uint64_t frames[MAX_STACK_DEPTH];
	int n = 0;

	if (stack_id < 0 || max <= 0 || bpf_map_lookup_elem(fd, &stack_id, frames))
		return 0; /* absent */
	while (n < MAX_STACK_DEPTH && n < max && frames[n]) {
		ips[n] = frames[n];
		n++;
	}
	return n;
}

int kfr_map_sum_percpu(int fd, uint32_t n, int ncpu, int64_t *out)
{
	uint64_t *percpu = calloc((size_t)ncpu, sizeof(uint64_t));

	if (!percpu)
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++) {
		out[i] = 0;
		if (bpf_map_lookup_elem(fd, &i, percpu))
			continue;
		for (int c = 0; c < ncpu; c++)
			out[i] += (int64_t)percpu[c];
	}
	free(percpu);
	return 0;
}

void kfr_prog_add_stats(const struct bpf_program *prog, int64_t *out)
{
	struct bpf_prog_info info;
	uint32_t len = sizeof(info);
	int fd = prog ? bpf_program__fd(prog) : -1;

	memset(&info, 0, sizeof(info));
	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len))
		return;
	out[0] += (int64_t)info.run_cnt;
	out[1] += (int64_t)info.run_time_ns;
	out[2] += (int64_t)info.recursion_misses; /* kernel 5.12+; older kernels leave it 0 */
}
