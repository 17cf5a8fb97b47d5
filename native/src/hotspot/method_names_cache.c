/* Method names by validated method identity (method_names_cache.h). */
#include <stdlib.h>
#include <string.h>

#include "hotspot/method_names_cache.h"

#define SLOTS 8192 /* direct-mapped: a colliding method replaces the older one */

struct entry {
	struct kfr_mn_key key;
	char *text; /* klass \0 name \0 signature \0 */
	size_t name_at, sig_at;
	bool permanent;
};

static struct entry slots[SLOTS];

static unsigned slot_of(const struct kfr_mn_key *k)
{
	uint64_t h = ((uint64_t)k->method >> 3) * 0x9e3779b97f4a7c15ull;

	h ^= ((uint64_t)k->name_sym >> 3) * 0xc2b2ae3d27d4eb4full;
	return (unsigned)(h >> 40) % SLOTS;
}

static bool same(const struct kfr_mn_key *a, const struct kfr_mn_key *b)
{
	return a->method == b->method && a->holder == b->holder && a->klass_sym == b->klass_sym &&
	       a->name_sym == b->name_sym && a->sig_sym == b->sig_sym;
}

bool kfr_mn_get(const struct kfr_mn_key *key, struct kfr_mn_names *out)
{
	const struct entry *e = &slots[slot_of(key)];

	if (!e->text || !same(&e->key, key))
		return false;
	out->klass = e->text;
	out->name = e->text + e->name_at;
	out->signature = e->text + e->sig_at;
	out->permanent = e->permanent;
	return true;
}

void kfr_mn_put(const struct kfr_mn_key *key, const char *klass, const char *name, const char *signature,
		bool permanent)
{
	struct entry *e = &slots[slot_of(key)];
	size_t kl = strlen(klass) + 1, nl = strlen(name) + 1, sl = strlen(signature) + 1;
	char *text = malloc(kl + nl + sl);

	free(e->text);
	memset(e, 0, sizeof(*e));
	if (!text)
		return;
	memcpy(text, klass, kl);
	memcpy(text + kl, name, nl);
	memcpy(text + kl + nl, signature, sl);
	e->key = *key;
	e->text = text;
	e->name_at = kl;
	e->sig_at = kl + nl;
	e->permanent = permanent;
}

void kfr_mn_clear(void)
{
	for (unsigned i = 0; i < SLOTS; i++) {
		free(slots[i].text);
		memset(&slots[i], 0, sizeof(slots[i]));
	}
}
