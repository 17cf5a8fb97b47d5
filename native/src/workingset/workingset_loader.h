/* libbpf side of the working-set collector: load and attach workingset.bpf.c for one process,
 * read its records and its page set, detach. The generic collector surface (common/collector.h)
 * reaches it through kfr_workingset_ops. */
#ifndef KFR_WORKINGSET_LOADER_H
#define KFR_WORKINGSET_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/types.h>
#include "workingset/workingset_records.h"

struct kfr_ws;
struct kfr_collector_ops;
struct kfr_java_thread;
struct kfr_walk_cfg;

extern const struct kfr_collector_ops kfr_workingset_ops;

/* Loads and attaches the programs for the threads of tgid (0: none yet, see kfr_ws_set_target).
 * wait_window_ns: how soon after a miss an uninterruptible sleep is taken as the wait for it.
 * Without Java stacks (see kfr_ws_java_load). 0 or -errno (kfr_last_error says why). */
int kfr_ws_open(struct kfr_ws **out, pid_t tgid, uint64_t wait_window_ns, size_t ringbuf_bytes);

/* Replaces the programs by ones with the HotSpot walker (java: its configuration; the target must
 * be this process), sharing the set and the records so far: from then on misses of the Java
 * threads registered (kfr_ws_java_thread, through kfr_workingset_ops) carry their Java stacks.
 * Slow (the walker's verification): call it off the recording's path. 0 or -errno. */
int kfr_ws_java_load(struct kfr_ws *ws, const struct kfr_walk_cfg *java);

/* Misses walk Java stacks from now on (on), or no more; nothing before kfr_ws_java_load. */
void kfr_ws_java_on(struct kfr_ws *ws, bool on);

/* As kfr_cpu_java_*: opened with Java stacks; a Java thread's map entry. */
bool kfr_ws_java_enabled(const struct kfr_ws *ws);
int kfr_ws_java_thread(struct kfr_ws *ws, int tid, const struct kfr_java_thread *jt);

/* Records process tgid from now on instead (0: none). */
void kfr_ws_set_target(struct kfr_ws *ws, pid_t tgid);

/* Leaves one thread of the target out (kfr's prefetch thread; 0: none). */
void kfr_ws_exclude_thread(struct kfr_ws *ws, pid_t tid);

/* Copies whole records (struct kfr_ws_*_rec by kind, back to back) into buf; waits up to
 * timeout_ms when none is ready (common/ring_reader.h). Bytes copied, or -errno. */
int kfr_ws_poll(struct kfr_ws *ws, void *buf, size_t cap, int timeout_ms);

/* Ends a waiting poll now. */
void kfr_ws_wake(struct kfr_ws *ws);

/* Copies up to max (key, value) pairs of the page set; how many, or -errno. */
int kfr_ws_chunks(struct kfr_ws *ws, struct kfr_ws_chunk_key *keys, struct kfr_ws_chunk_val *vals, size_t max);

/* Counters (KFR_WS_CNT_*) summed over CPUs, then the programs' run statistics (KFR_WS_STAT_LEN),
 * into out[0 .. min(len, KFR_WS_STAT_LEN) - 1]. 0 or -errno. */
int kfr_ws_counters(struct kfr_ws *ws, int64_t *out, int len);

/* Copies the ips of a stack (at most max); how many, 0 if absent. */
int kfr_ws_stack(struct kfr_ws *ws, int32_t stack_id, uint64_t *ips, int max);

/* Detaches the programs; the set and the counters stay readable. Idempotent. */
int kfr_ws_detach(struct kfr_ws *ws);

/* Detaches and frees. */
void kfr_ws_close(struct kfr_ws *ws);

#endif
