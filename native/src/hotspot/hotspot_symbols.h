/* Names for the raw Java frames of the BPF walker (java_stack_records.h): Method* -> class, method,
 * signature, line; nmethod + pc -> the inlined scopes at that pc. Everything is read through
 * kfr_safe_read and validated (docs/unwinder-design.md §4, §5): a frame that fails a check is
 * reported as unknown, never named from a guess. Not thread-safe per layout: one caller (the
 * collector thread). */
#ifndef KFR_HOTSPOT_SYMBOLS_H
#define KFR_HOTSPOT_SYMBOLS_H

#include <stdint.h>
#include <linux/types.h>

#include "hotspot/hotspot_layout.h"
#include "hotspot/java_stack_records.h"

/* What kind of Java frame a scope is (as JFR names them). */
#define KFR_JS_INTERPRETED 1
#define KFR_JS_JIT         2 /* the compiled method itself (innermost physical scope) */
#define KFR_JS_INLINED     3 /* a method inlined into it */
#define KFR_JS_NATIVE      4 /* a Java native method (its wrapper nmethod, or interpreted native entry) */
#define KFR_JS_STUB        5 /* a VM stub (runtime stub, safepoint blob...): name from the CodeBlob */
#define KFR_JS_UNKNOWN     6 /* could not be validated */

/* Why a frame could not be named (negative returns of kfr_hs_expand). */
#define KFR_JS_ERR_READ     1 /* memory not readable */
#define KFR_JS_ERR_METHOD   2 /* Method* failed validation (stale, not a Method) */
#define KFR_JS_ERR_STALE    3 /* nmethod no longer the one walked (compile id differs, freed) */
#define KFR_JS_ERR_SCOPE    4 /* scope data inconsistent */
#define KFR_JS_ERR_KIND     5 /* frame kind not nameable (TRUNCATED/BROKEN markers) */

struct kfr_hs_scope {
	uintptr_t method; /* validated Method* (0 for KFR_JS_STUB / KFR_JS_UNKNOWN) */
	int32_t bci;      /* -1 if unknown / not applicable */
	int32_t line;     /* -1 if unknown / not applicable */
	uint8_t type;     /* KFR_JS_* */
	uint8_t hidden;   /* the method is hidden (lambda forms, ...) */
	uint8_t approx;   /* compiled frame without an exact PcDesc: no inlining info, line unknown; or an
	                   * interrupted pc named from the PcDesc at or after it (KFR_JF_COMPILED_PC) */
	/* what was validated with the method (0 for stubs): its class and Symbol*s; the same values
	 * give the same kfr_hs_method_names while no class is unloaded */
	uintptr_t holder, klass_sym, name_sym, sig_sym;
};

/* Expands one physical frame into scopes, innermost first (a compiled frame gives its inlined
 * methods first and the compiled method last). Returns the number of scopes (>= 1, <= max), or
 * -KFR_JS_ERR_*. */
int kfr_hs_expand(const struct kfr_hs_layout *l, const struct kfr_java_frame *f, struct kfr_hs_scope *out, int max);

/* Names of a Method* that kfr_hs_expand returned: class (binary name with '.', e.g.
 * "java.lang.Thread"), method name and descriptor, NUL-terminated modified UTF-8, cut to fit.
 * 0, or -KFR_JS_ERR_*. */
int kfr_hs_method_names(const struct kfr_hs_layout *l, uintptr_t method, char *klass, size_t kcap, char *name,
			size_t ncap, char *signature, size_t scap);

/* Name of a stub frame's CodeBlob (e.g. "SafepointBlob"). 0 or -KFR_JS_ERR_*. */
int kfr_hs_blob_name(const struct kfr_hs_layout *l, uintptr_t blob, char *out, size_t cap);

/* If blob is a live nmethod: 0 and its compile id (what a walker frame's cookie holds); else -1. */
int kfr_hs_nmethod_compile_id(const struct kfr_hs_layout *l, uintptr_t blob, uint32_t *compile_id);

/* Which debug-information point names an interrupted pc (a KFR_JF_COMPILED_PC frame): the scope
 * decode offset of the first PcDesc at or after it, or 0 when the nmethod is named as a whole there.
 * Frames of one nmethod (ref and cookie) with the same point have the same kfr_hs_expand result,
 * so callers name one pc per point. The nmethod is checked as kfr_hs_expand checks it; its PcDesc
 * table is read once (pc_desc_cache.h). 0, or -KFR_JS_ERR_* (then name the frame itself).
 * Callers serialize calls (the table cache is not thread-safe). */
int kfr_hs_debug_point(const struct kfr_hs_layout *l, const struct kfr_java_frame *f, uint32_t *point);

/* Forgets the PcDesc tables read by kfr_hs_debug_point. */
void kfr_hs_debug_points_clear(void);

#endif
