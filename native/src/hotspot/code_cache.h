/* Naming a pc in this JVM's code cache from user space (what the BPF walker's jw_find_blob does in
 * the kernel): pc -> CodeBlob through the code heaps' segment maps, then the raw frame the
 * symbolizer expands (hotspot_symbols.h). For decoders of code addresses (samples, branch traces). */
#ifndef KFR_CODE_CACHE_H
#define KFR_CODE_CACHE_H

#include <stdint.h>
#include <linux/types.h>

#include "hotspot/hotspot_layout.h"
#include "hotspot/java_stack_records.h"

/* The CodeBlob holding pc (a live block of a code heap), or 0. Never faults. */
uintptr_t kfr_hs_find_blob(const struct kfr_hs_layout *l, uintptr_t pc);

/* If pc lies in a live nmethod: 0 and f filled as the walker would for an interrupted pc there
 * (KFR_JF_COMPILED_PC: ref = the nmethod, x = pc - ref, cookie = compile id); else -1. */
int kfr_hs_pc_frame(const struct kfr_hs_layout *l, uintptr_t pc, struct kfr_java_frame *f);

#endif
