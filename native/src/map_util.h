/* Small helpers on BPF maps from user space. */
#ifndef KFR_MAP_UTIL_H
#define KFR_MAP_UTIL_H

/* Deletes every entry of a hash map with 8-byte keys; returns how many, or -errno. */
int kfr_map_clear_u64(int fd);

#endif
