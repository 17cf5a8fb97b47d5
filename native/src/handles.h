/* Table of live handles handed to Java. A handle is an opaque non-zero 64-bit value
 * (slot index + generation), so a stale or bogus handle is recognised and never dereferenced. */
#ifndef KFR_HANDLES_H
#define KFR_HANDLES_H

#include <stdint.h>

enum kfr_handle_kind { KFR_HANDLE_OFFCPU = 1, KFR_HANDLE_CPU = 2, KFR_HANDLE_WORKINGSET = 3 };

/* Registers obj; returns its handle, or 0 when the table is full. */
uint64_t kfr_handle_add(void *obj, int kind);
/* Returns obj and holds a reference (blocks close) if h is live and of that kind; else NULL. */
void *kfr_handle_acquire(uint64_t h, int kind);
void kfr_handle_release(uint64_t h);
/* Unregisters h: no new acquire succeeds, wake(obj) is called (if not NULL) to cut short calls
 * in progress, then it waits until every reference is released. Returns obj to destroy, or NULL
 * if h is not (or no longer) live. Concurrent removes of the same handle: one gets obj. */
void *kfr_handle_remove(uint64_t h, int kind, void (*wake)(void *obj));

#endif
