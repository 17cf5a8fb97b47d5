/* See pt_sideband.h. */
#define _GNU_SOURCE
#include "pt/pt_sideband.h"

#include <jvmti.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#include "pt/pt_image.h"
#include "pt/pt_image_timed.h"

/* The code alive now by start address: an unload names only its address, its size is the load's. */
struct live_slot {
	uint64_t address; /* 0: empty */
	uint64_t size, load_tsc;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static jvmtiEnv *jvmti;      /* ours, created once: an env cannot be given back while events may be in flight */
static int running;          /* under lock: callbacks record only while set */
/* Unloaded code is copied at its event (kfr_pt_sideband_start): the JVM says whether the bytes are
 * still its own then. */
static int copy_unloads = 1;
static __thread int generating; /* this thread runs GenerateEvents: the events are of code that existed already */

static struct kfr_pt_sb_record *ring;
static size_t ring_cap, ring_head, ring_count; /* oldest at ring_head */
static struct live_slot *live;
static size_t live_cap, live_count;
static uint64_t unload_bytes_held;
static uint64_t stats[KFR_PT_SB_STATS];

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* --- the live map: open addressing, linear probing, deletion by shifting back --- */

static size_t slot_of(uint64_t address, size_t cap)
{
	return (size_t)((address >> 4) * 0x9E3779B97F4A7C15ULL >> 20) & (cap - 1);
}

static int live_grow(void)
{
	size_t cap = live_cap ? live_cap * 2 : 4096;
	struct live_slot *n = calloc(cap, sizeof(*n));

	if (!n)
		return -1;
	for (size_t i = 0; i < live_cap; i++) {
		if (!live[i].address)
			continue;
		size_t j = slot_of(live[i].address, cap);

		while (n[j].address)
			j = (j + 1) & (cap - 1);
		n[j] = live[i];
	}
	free(live);
	live = n;
	live_cap = cap;
	return 0;
}

static struct live_slot *live_find(uint64_t address)
{
	if (!live_cap)
		return NULL;
	for (size_t i = slot_of(address, live_cap);; i = (i + 1) & (live_cap - 1)) {
		if (live[i].address == address)
			return &live[i];
		if (!live[i].address)
			return NULL;
	}
}

static void live_put(uint64_t address, uint64_t size, uint64_t load_tsc)
{
	struct live_slot *s = live_find(address);

	if (!s) {
		if ((live_count + 1) * 2 > live_cap && live_grow())
			return; /* out of memory: this code's unload will be recorded without bytes */
		size_t i = slot_of(address, live_cap);

		while (live[i].address)
			i = (i + 1) & (live_cap - 1);
		s = &live[i];
		live_count++;
	}
	s->address = address;
	s->size = size;
	s->load_tsc = load_tsc;
}

static void live_remove(struct live_slot *s)
{
	size_t mask = live_cap - 1, i = (size_t)(s - live);

	live[i].address = 0;
	live_count--;
	for (size_t j = (i + 1) & mask; live[j].address; j = (j + 1) & mask) {
		size_t home = slot_of(live[j].address, live_cap);
		/* j stays if its home lies cyclically in (i, j]: a search from home still reaches it */
		int stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);

		if (!stays) {
			live[i] = live[j];
			live[j].address = 0;
			i = j;
		}
	}
}

/* --- the ring --- */

static void record_free(struct kfr_pt_sb_record *r)
{
	if (r->bytes)
		unload_bytes_held -= r->size;
	free(r->name);
	free(r->bytes);
	memset(r, 0, sizeof(*r));
}

/* A slot for a new record (zeroed), the oldest dropped when full; NULL when out of memory. */
static struct kfr_pt_sb_record *append(void)
{
	if (ring_count == ring_cap && ring_cap < KFR_PT_SB_MAX_RECORDS) {
		size_t cap = ring_cap ? ring_cap * 2 : 1024;
		struct kfr_pt_sb_record *n = calloc(cap, sizeof(*n));

		if (n) {
			for (size_t i = 0; i < ring_count; i++)
				n[i] = ring[(ring_head + i) % ring_cap];
			free(ring);
			ring = n;
			ring_cap = cap;
			ring_head = 0;
		}
	}
	if (!ring_cap)
		return NULL;
	if (ring_count == ring_cap) {
		record_free(&ring[ring_head]);
		ring_head = (ring_head + 1) % ring_cap;
		ring_count--;
		stats[KFR_PT_SB_DROPPED]++;
	}
	struct kfr_pt_sb_record *r = &ring[(ring_head + ring_count) % ring_cap];

	ring_count++;
	stats[KFR_PT_SB_RECORDS]++;
	return r;
}

/* --- the callbacks: compiler threads, the service thread, any thread that generates a stub --- */

static void JNICALL on_load(jvmtiEnv *env, jmethodID method, jint code_size, const void *code_addr,
			    jint map_length, const jvmtiAddrLocationMap *map, const void *compile_info)
{
	(void)env;
	(void)map_length;
	(void)map;
	(void)compile_info;
	uint64_t t0 = mono_ns(), tsc = __rdtsc();

	pthread_mutex_lock(&lock);
	if (running && code_addr && code_size > 0) {
		struct kfr_pt_sb_record *r = append();

		if (r) {
			r->kind = KFR_PT_SB_LOAD;
			r->before_start = generating;
			r->address = (uint64_t)(uintptr_t)code_addr;
			r->size = (uint64_t)code_size;
			r->tsc = generating ? 0 : tsc;
			r->mono_ns = t0;
			r->method = (uint64_t)(uintptr_t)method;
			live_put(r->address, r->size, r->tsc);
			stats[KFR_PT_SB_LOADS]++;
		}
	}
	stats[KFR_PT_SB_CALLBACK_NS] += mono_ns() - t0;
	pthread_mutex_unlock(&lock);
}

/*
 * JVMTI posts the event before the memory is reused, and up to JDK 19 (the sweeper freed an
 * nmethod's memory sweeps after unloading it) the bytes were still the method's: they are copied
 * now, and a trace taken before the unload is decoded over them. From JDK 20 on the GC frees the
 * memory at once and the event comes later from the service thread: on JDK 25 a copy held other
 * bytes (192 of 192 compared differed), so there no copy is made (kfr_pt_sideband_start) and a
 * trace over code freed since stops, counted. process_vm_readv, not memcpy: if the pages are gone
 * the copy fails instead of faulting.
 */
static uint8_t *copy_code(uint64_t address, uint64_t size)
{
	uint8_t *buf = malloc(size);

	if (!buf)
		return NULL;
	struct iovec local = {buf, size}, remote = {(void *)(uintptr_t)address, size};

	if (process_vm_readv(getpid(), &local, 1, &remote, 1, 0) != (ssize_t)size) {
		free(buf);
		return NULL;
	}
	return buf;
}

static void JNICALL on_unload(jvmtiEnv *env, jmethodID method, const void *code_addr)
{
	(void)env;
	uint64_t t0 = mono_ns(), tsc = __rdtsc();

	pthread_mutex_lock(&lock);
	if (running && code_addr) {
		uint64_t address = (uint64_t)(uintptr_t)code_addr;
		struct live_slot *s = live_find(address);
		uint64_t size = s ? s->size : 0, load_tsc = s ? s->load_tsc : 0;

		if (s)
			live_remove(s);
		struct kfr_pt_sb_record *r = append();

		if (r) {
			r->kind = KFR_PT_SB_UNLOAD;
			r->address = address;
			r->size = size;
			r->tsc = tsc;
			r->mono_ns = t0;
			r->method = (uint64_t)(uintptr_t)method;
			r->load_tsc = load_tsc;
			if (copy_unloads && size && unload_bytes_held + size <= KFR_PT_SB_UNLOAD_BUDGET)
				r->bytes = copy_code(address, size);
			if (r->bytes) {
				unload_bytes_held += size;
				stats[KFR_PT_SB_UNLOAD_BYTES] += size;
			} else {
				stats[KFR_PT_SB_OVER_BUDGET]++;
			}
			stats[KFR_PT_SB_UNLOADS]++;
		}
	}
	stats[KFR_PT_SB_CALLBACK_NS] += mono_ns() - t0;
	pthread_mutex_unlock(&lock);
}

static void JNICALL on_dynamic(jvmtiEnv *env, const char *name, const void *address, jint length)
{
	(void)env;
	uint64_t t0 = mono_ns(), tsc = __rdtsc();
	char *copy = strndup(name ? name : "", KFR_PT_SB_NAME_MAX - 1); /* outside the lock: malloc */

	pthread_mutex_lock(&lock);
	if (running && address && length > 0) {
		struct kfr_pt_sb_record *r = append();

		if (r) {
			r->kind = KFR_PT_SB_DYNAMIC;
			r->before_start = generating;
			r->address = (uint64_t)(uintptr_t)address;
			r->size = (uint64_t)length;
			r->tsc = generating ? 0 : tsc;
			r->mono_ns = t0;
			r->name = copy;
			copy = NULL;
			stats[KFR_PT_SB_DYNAMICS]++;
		}
	}
	stats[KFR_PT_SB_CALLBACK_NS] += mono_ns() - t0;
	pthread_mutex_unlock(&lock);
	free(copy);
}

/* --- start and stop --- */

static void free_all(void)
{
	for (size_t i = 0; i < ring_count; i++)
		record_free(&ring[(ring_head + i) % ring_cap]);
	free(ring);
	free(live);
	ring = NULL;
	live = NULL;
	ring_cap = ring_head = ring_count = live_cap = live_count = 0;
	unload_bytes_held = 0;
}

static void set_events(jvmtiEventMode mode)
{
	(*jvmti)->SetEventNotificationMode(jvmti, mode, JVMTI_EVENT_COMPILED_METHOD_LOAD, NULL);
	(*jvmti)->SetEventNotificationMode(jvmti, mode, JVMTI_EVENT_COMPILED_METHOD_UNLOAD, NULL);
	(*jvmti)->SetEventNotificationMode(jvmti, mode, JVMTI_EVENT_DYNAMIC_CODE_GENERATED, NULL);
}

static const char *init_env(JavaVM *vm)
{
	static char why[160];
	jvmtiEnv *env = NULL;

	if ((*vm)->GetEnv(vm, (void **)&env, JVMTI_VERSION_1_2) != JNI_OK || !env)
		return "pt sideband: no JVMTI environment (GetEnv JVMTI_VERSION_1_2 refused)";
	jvmtiCapabilities caps;

	memset(&caps, 0, sizeof(caps));
	caps.can_generate_compiled_method_load_events = 1;
	jvmtiError err = (*env)->AddCapabilities(env, &caps);

	if (err == JVMTI_ERROR_NONE) {
		jvmtiEventCallbacks cb;

		memset(&cb, 0, sizeof(cb));
		cb.CompiledMethodLoad = on_load;
		cb.CompiledMethodUnload = on_unload;
		cb.DynamicCodeGenerated = on_dynamic;
		err = (*env)->SetEventCallbacks(env, &cb, sizeof(cb));
		if (err == JVMTI_ERROR_NONE) {
			jvmti = env;
			return NULL;
		}
		snprintf(why, sizeof(why), "pt sideband: JVMTI SetEventCallbacks failed (error %d)", (int)err);
	} else {
		snprintf(why, sizeof(why),
			 "pt sideband: JVMTI refused can_generate_compiled_method_load_events (error %d)", (int)err);
	}
	(*env)->DisposeEnvironment(env);
	return why;
}

const char *kfr_pt_sideband_start(JavaVM *vm, int copy_unloaded_code)
{
	static char why[160];

	pthread_mutex_lock(&lock);
	if (running) {
		pthread_mutex_unlock(&lock);
		return NULL;
	}
	copy_unloads = copy_unloaded_code;
	const char *e = jvmti ? NULL : init_env(vm);

	if (!e) {
		memset(stats, 0, sizeof(stats));
		running = 1;
	}
	pthread_mutex_unlock(&lock);
	if (e)
		return e;
	set_events(JVMTI_ENABLE);
	/* on before the report of what exists: code compiled in between is reported at least once */
	generating = 1;
	jvmtiError a = (*jvmti)->GenerateEvents(jvmti, JVMTI_EVENT_DYNAMIC_CODE_GENERATED);
	jvmtiError b = (*jvmti)->GenerateEvents(jvmti, JVMTI_EVENT_COMPILED_METHOD_LOAD);

	generating = 0;
	if (a != JVMTI_ERROR_NONE || b != JVMTI_ERROR_NONE) {
		kfr_pt_sideband_stop();
		snprintf(why, sizeof(why), "pt sideband: JVMTI GenerateEvents failed (errors %d, %d)", (int)a, (int)b);
		return why;
	}
	return NULL;
}

void kfr_pt_sideband_stop(void)
{
	pthread_mutex_lock(&lock);
	int was = running;

	running = 0;
	free_all(); /* a callback in flight waits for the lock, then sees running 0 */
	pthread_mutex_unlock(&lock);
	if (was && jvmti)
		set_events(JVMTI_DISABLE);
}

int kfr_pt_sideband_running(void)
{
	pthread_mutex_lock(&lock);
	int r = running;

	pthread_mutex_unlock(&lock);
	return r;
}

void kfr_pt_sideband_stats(uint64_t out[KFR_PT_SB_STATS])
{
	pthread_mutex_lock(&lock);
	memcpy(out, stats, sizeof(stats));
	out[KFR_PT_SB_KEPT] = ring_count;
	pthread_mutex_unlock(&lock);
}

size_t kfr_pt_sideband_each(void (*fn)(const struct kfr_pt_sb_record *, void *), void *ctx)
{
	pthread_mutex_lock(&lock);
	size_t n = ring_count;

	for (size_t i = 0; i < n; i++)
		fn(&ring[(ring_head + i) % ring_cap], ctx);
	pthread_mutex_unlock(&lock);
	return n;
}

struct add_state {
	struct kfr_pt_image *img;
	int added, failed;
};

/*
 * What each record says about the bytes at its range: a load or a generated stub changed them at
 * its time; an unload freed them at its time (the memory may hold other code after), and its copy
 * is what they were from the load to the unload. Records of code that existed at the start say
 * nothing about when it came: no change.
 */
static void add_record(const struct kfr_pt_sb_record *r, void *ctx)
{
	struct add_state *st = ctx;

	if (!r->size)
		return;
	if (r->kind == KFR_PT_SB_UNLOAD && r->bytes) {
		if (kfr_pt_image_add_version(st->img, r->address, r->bytes, r->size, r->load_tsc, r->tsc))
			st->failed = 1;
		else
			st->added++;
	}
	if (r->tsc) {
		if (kfr_pt_image_add_change(st->img, r->address, r->size, r->tsc))
			st->failed = 1;
		else
			st->added++;
	}
}

int kfr_pt_sideband_add_to_image(struct kfr_pt_image *img)
{
	struct add_state st = {img, 0, 0};

	kfr_pt_sideband_each(add_record, &st);
	return st.failed ? -1 : st.added;
}

char *kfr_pt_sideband_method_name(uint64_t method)
{
	jvmtiEnv *env = jvmti;

	if (!env || !method)
		return NULL;
	jmethodID m = (jmethodID)(uintptr_t)method;
	jclass cls = NULL;
	char *name = NULL, *sig = NULL, *csig = NULL, *out = NULL;

	if ((*env)->GetMethodName(env, m, &name, &sig, NULL) == JVMTI_ERROR_NONE &&
	    (*env)->GetMethodDeclaringClass(env, m, &cls) == JVMTI_ERROR_NONE &&
	    (*env)->GetClassSignature(env, cls, &csig, NULL) == JVMTI_ERROR_NONE) {
		size_t n = strlen(csig) + strlen(name) + strlen(sig) + 3;

		out = malloc(n);
		if (out)
			snprintf(out, n, "%s\t%s\t%s", csig, name, sig);
	}
	if (name)
		(*env)->Deallocate(env, (unsigned char *)name);
	if (sig)
		(*env)->Deallocate(env, (unsigned char *)sig);
	if (csig)
		(*env)->Deallocate(env, (unsigned char *)csig);
	return out;
}
