/* Reading the JVM's memory from inside its own process without ever faulting: a stale or bogus
 * pointer (a Method* of an unloaded class, a freed nmethod) reads as an error, not a SIGSEGV. */
#ifndef KFR_SAFE_READ_H
#define KFR_SAFE_READ_H

#include <stddef.h>
#include <stdint.h>

/* Copies n bytes at addr into dst. 0, or -1 if any byte is not readable (dst then undefined). */
int kfr_safe_read(void *dst, uintptr_t addr, size_t n);

/* A read session on this thread: until kfr_safe_read_end, reads of up to a block that fall in one
 * aligned block are served from a small cache of whole blocks read once (one process_vm_readv of a
 * block instead of one per field: naming one Java frame reads dozens of fields that sit close
 * together in Method, ConstMethod, the constant pool and Symbols). Only for work that wants one
 * view of memory anyway, like naming a frame; memory that changes during a session is seen as it
 * was at the block's first read. Sessions do not nest, and one runs at a time in the process: the
 * caller serializes them (hotspot_jni's lock). */
void kfr_safe_read_begin(void);
void kfr_safe_read_end(void);

/* Typed helpers: 0 on success. */
static inline int kfr_safe_u64(uintptr_t addr, uint64_t *v) { return kfr_safe_read(v, addr, 8); }
static inline int kfr_safe_u32(uintptr_t addr, uint32_t *v) { return kfr_safe_read(v, addr, 4); }
static inline int kfr_safe_u16(uintptr_t addr, uint16_t *v) { return kfr_safe_read(v, addr, 2); }
static inline int kfr_safe_u8(uintptr_t addr, uint8_t *v) { return kfr_safe_read(v, addr, 1); }

#endif
