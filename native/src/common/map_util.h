/* What both collectors' loaders do with their BPF maps, records and programs from user space. */
#ifndef KFR_MAP_UTIL_H
#define KFR_MAP_UTIL_H

#include <stddef.h>
#include <stdint.h>

struct bpf_program;

/* Deletes every entry of a map whose keys are 4 or 8 bytes (a hash map of u64 keys, a stack-trace
 * map); returns how many. */
int kfr_map_clear(int fd);

/* Stores value under a 4-byte key, or deletes the key when value is NULL (absent is fine). 0 or -errno. */
int kfr_map_put_u32(int fd, uint32_t key, const void *value);

/* Copies the non-zero ips of a stack-trace map entry (at most max); 0 if absent. */
int kfr_map_stack_ips(int fd, int32_t stack_id, uint64_t *ips, int max);

/* Stack ids in epochs (common/stack_epochs.h), maps fd0/fd1, current the epoch the programs write:
 * the ips of id as kfr_map_stack_ips, or -ESTALE if its epoch is neither the current nor the previous. */
int kfr_epoch_stack_ips(int fd0, int fd1, uint32_t current, int32_t id, uint64_t *ips, int max);

/* Starts the next stack epoch of maps fd0/fd1 whose programs read *epoch (mmapped .bss): clears
 * the map of the epoch before last (nothing writes it), then advances *epoch to it. The stacks cleared. */
int kfr_next_stack_epoch(uint32_t *epoch, int fd0, int fd1);

/* Sums each of the first n entries of a per-CPU array of u64 over ncpu CPUs into out[0 .. n-1]. 0 or -errno. */
int kfr_map_sum_percpu(int fd, uint32_t n, int ncpu, int64_t *out);

/* Adds a program's run count, run time and recursion misses (kernel BPF statistics) to out[0..2]. */
void kfr_prog_add_stats(const struct bpf_program *prog, int64_t *out);

#endif
