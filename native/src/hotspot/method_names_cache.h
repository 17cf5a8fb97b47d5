/* Names of methods already named (class, method, descriptor, whether the class loader never
 * unloads), kept in this process so that another frame of a method costs no reads of its Symbols
 * and class loader data. An entry is keyed by what the symbolizer validated for the method in the
 * same call (Method*, holder class and its three Symbol*): those are the JVM's own pointers, and a
 * Symbol stays at its address with its text as long as a class uses it. Symbols of an unloaded
 * class may be freed and reused: callers drop the entries when the JVM unloads classes (the names
 * used meanwhile are treated as those of any cached frame: JavaFrameSymbolizer's batches).
 * Bounded (direct-mapped slots); not thread-safe (callers hold the layout lock). */
#ifndef KFR_HOTSPOT_METHOD_NAMES_CACHE_H
#define KFR_HOTSPOT_METHOD_NAMES_CACHE_H

#include <stdbool.h>
#include <stdint.h>

struct kfr_mn_key {
	uintptr_t method, holder, klass_sym, name_sym, sig_sym;
};

struct kfr_mn_names {
	const char *klass, *name, *signature; /* owned by the cache: valid until the next put or clear */
	bool permanent;
};

/* The names stored for key, or false. */
bool kfr_mn_get(const struct kfr_mn_key *key, struct kfr_mn_names *out);

/* Stores names for key (copied), replacing whatever its slot held. */
void kfr_mn_put(const struct kfr_mn_key *key, const char *klass, const char *name, const char *signature,
		bool permanent);

/* Forgets every entry. */
void kfr_mn_clear(void);

#endif
