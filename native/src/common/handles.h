/* Table of live collectors handed to Java. A handle is an opaque non-zero 64-bit value
 * (slot index + generation), so a stale or bogus handle is recognised and never dereferenced.
 * Each handle knows its collector's table of functions (collector.h). */
#ifndef KFR_HANDLES_H
#define KFR_HANDLES_H

#include <stdint.h>

struct kfr_collector_ops;

/* Registers obj; returns its handle, or 0 when the table is full. */
uint64_t kfr_handle_add(void *obj, const struct kfr_collector_ops *ops);
/* Returns obj and holds a reference (blocks close) if h is live, and of kind want unless want is
 * NULL; *ops (if not NULL) gets its table. Else NULL, with "<what>: invalid or closed handle" as
 * the last error. */
void *kfr_handle_acquire(uint64_t h, const struct kfr_collector_ops *want, const struct kfr_collector_ops **ops,
			 const char *what);
void kfr_handle_release(uint64_t h);
/* Unregisters h: no new acquire succeeds, its table's wake cuts short calls in progress, then it
 * waits until every reference is released. Returns obj to close (*ops: its table), or NULL if h is
 * not (or no longer) live. Concurrent removes of the same handle: one gets obj. */
void *kfr_handle_remove(uint64_t h, const struct kfr_collector_ops **ops);

#endif
