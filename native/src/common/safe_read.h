/* Reading the JVM's memory from inside its own process without ever faulting: a stale or bogus
 * pointer (a Method* of an unloaded class, a freed nmethod) reads as an error, not a SIGSEGV. */
#ifndef KFR_SAFE_READ_H
#define KFR_SAFE_READ_H

#include <stddef.h>
#include <stdint.h>

/* Copies n bytes at addr into dst. 0, or -1 if any byte is not readable (dst then undefined). */
int kfr_safe_read(void *dst, uintptr_t addr, size_t n);

/* Typed helpers: 0 on success. */
static inline int kfr_safe_u64(uintptr_t addr, uint64_t *v) { return kfr_safe_read(v, addr, 8); }
static inline int kfr_safe_u32(uintptr_t addr, uint32_t *v) { return kfr_safe_read(v, addr, 4); }
static inline int kfr_safe_u16(uintptr_t addr, uint16_t *v) { return kfr_safe_read(v, addr, 2); }
static inline int kfr_safe_u8(uintptr_t addr, uint8_t *v) { return kfr_safe_read(v, addr, 1); }

#endif
