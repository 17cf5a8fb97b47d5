#include <errno.h>
#include <stdint.h>

#include <bpf/bpf.h>

#include "map_util.h"

int kfr_map_clear_u64(int fd)
{
	uint64_t key, next;
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
