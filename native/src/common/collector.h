/* What every collector offers, as a table of functions: the generic JNI surface (collector_jni.c)
 * calls a collector only through its table, and a handle knows its collector's table. A
 * collector kind (offcpu/, cpu/) defines one table next to its loader. */
#ifndef KFR_COLLECTOR_H
#define KFR_COLLECTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kfr_java_thread;

struct kfr_collector_ops {
	const char *name; /* "offcpu", "cpu" */
	/* Copies whole records of the collector's ring buffer into buf; waits up to timeout_ms when
	 * none is ready (kfr_ring_read). Records copied, or -errno. */
	int (*poll)(void *c, void *buf, size_t cap, int timeout_ms);
	/* Ends a waiting poll now. Thread-safe. */
	void (*wake)(void *c);
	/* Copies the non-zero ips of a stack-map entry; the frame count (0 if absent) or -errno
	 * (-ESTALE: an id of an expired stack epoch, common/stack_epochs.h). */
	int (*stack)(void *c, int32_t stack_id, uint64_t *ips, int max);
	/* Starts a new stack epoch (common/stack_epochs.h): the stacks cleared, or -errno; NULL for a
	 * collector whose stack ids have no epochs. */
	int (*next_stack_epoch)(void *c);
	/* Fills out[0 .. min(len, stats_len)-1] with the collector's counters (its own order); 0 or -errno. */
	int (*stats)(void *c, int64_t *out, int len);
	int stats_len;
	/* Stops collecting; what was collected stays readable and the counters are final. Idempotent. */
	int (*detach)(void *c);
	/* Frees everything; no other call on c is in progress. */
	void (*close)(void *c);
	/* Java frames (hotspot/): whether the walker is on; adding (jt != NULL) or removing a Java
	 * thread of the walker's thread map (0 or -errno). The Java stack records of every collector
	 * come through one ring (hotspot/java_maps.h). */
	bool (*java_enabled)(const void *c);
	int (*java_thread)(void *c, int tid, const struct kfr_java_thread *jt);
};

/* Defines `const struct kfr_collector_ops table` for a collector whose functions are named
 * prefix_poll, prefix_wake, prefix_stack, prefix_stats, prefix_detach, prefix_close,
 * prefix_next_stack_epoch, prefix_java_enabled, prefix_java_thread and take the
 * collector's own struct: C converts the table's void * to it, so each adapter is one call. */
#define KFR_COLLECTOR_OPS(table, collector_name, prefix, stats_length)                                     \
	static int prefix##_ops_poll(void *c, void *buf, size_t cap, int timeout_ms)                       \
	{                                                                                                  \
		return prefix##_poll(c, buf, cap, timeout_ms);                                             \
	}                                                                                                  \
	static void prefix##_ops_wake(void *c) { prefix##_wake(c); }                                       \
	static int prefix##_ops_stack(void *c, int32_t id, uint64_t *ips, int max)                         \
	{                                                                                                  \
		return prefix##_stack(c, id, ips, max);                                                    \
	}                                                                                                  \
	static int prefix##_ops_stats(void *c, int64_t *out, int len) { return prefix##_stats(c, out, len); } \
	static int prefix##_ops_next_stack_epoch(void *c) { return prefix##_next_stack_epoch(c); }        \
	static int prefix##_ops_detach(void *c) { return prefix##_detach(c); }                            \
	static void prefix##_ops_close(void *c) { prefix##_close(c); }                                     \
	static bool prefix##_ops_java_enabled(const void *c) { return prefix##_java_enabled(c); }          \
	static int prefix##_ops_java_thread(void *c, int tid, const struct kfr_java_thread *jt)            \
	{                                                                                                  \
		return prefix##_java_thread(c, tid, jt);                                                   \
	}                                                                                                  \
	const struct kfr_collector_ops table = {                                                           \
		.name = collector_name,                                                                    \
		.poll = prefix##_ops_poll,                                                                 \
		.wake = prefix##_ops_wake,                                                                 \
		.stack = prefix##_ops_stack,                                                               \
		.next_stack_epoch = prefix##_ops_next_stack_epoch,                                         \
		.stats = prefix##_ops_stats,                                                               \
		.stats_len = stats_length,                                                                 \
		.detach = prefix##_ops_detach,                                                             \
		.close = prefix##_ops_close,                                                               \
		.java_enabled = prefix##_ops_java_enabled,                                                 \
		.java_thread = prefix##_ops_java_thread,                                                   \
	}

#endif
