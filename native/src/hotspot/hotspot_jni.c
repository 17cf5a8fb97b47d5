/* JNI glue for Java frames (io.kfr.collectors.natives.KfrNative): the JVM's layout (read once),
 * the walker configuration for a collector's open, the Java stack records, and frame names. */
#include <jni.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <linux/types.h>

#include "hotspot/hotspot_jni.h"
#include "hotspot/code_cache.h"
#include "common/collector.h"
#include "hotspot/hotspot_symbols.h"
#include "hotspot/hotspot_threads.h"
#include "hotspot/hotspot_walk_cfg.h"
#include "hotspot/method_names_cache.h"
#include "common/kfr_error.h"
#include "common/safe_read.h"

#define JNI_FN(name) JNIEXPORT JNICALL Java_io_kfr_collectors_natives_KfrNative_##name

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int layout_state; /* 0 not read, 1 ok, -1 failed */
static struct kfr_hs_layout layout;
static char status[320] = "not requested"; /* "" when Java frames are on */
/* Class loader data of loaders that never unload classes (boot, application): metadata of their
 * classes is never reused for another class. */
#define MAX_PERMANENT 4
static uintptr_t permanent_cld[MAX_PERMANENT];

static void set_status(const char *why)
{
	pthread_mutex_lock(&lock);
	snprintf(status, sizeof(status), "%s", why);
	pthread_mutex_unlock(&lock);
}

/* The layout, read on first use (the JVM is fully started by the time a collector opens). */
static const struct kfr_hs_layout *get_layout(char *why, size_t whycap)
{
	static char reason[256];

	pthread_mutex_lock(&lock);
	if (!layout_state)
		layout_state = kfr_hs_layout_read(&layout, reason, sizeof(reason)) ? -1 : 1;
	pthread_mutex_unlock(&lock);
	if (layout_state < 0) {
		snprintf(why, whycap, "%s", reason);
		return NULL;
	}
	return &layout;
}

int kfr_hs_java_cfg(struct kfr_walk_cfg *cfg)
{
	char why[256];
	const struct kfr_hs_layout *l = get_layout(why, sizeof(why));

	if (!l || kfr_hs_walk_cfg(l, cfg, why, sizeof(why))) {
		set_status(why);
		return -1;
	}
	return 0;
}

/* Tracks the Java threads in the collector's map; the status tells whether Java frames are on. */
void kfr_hs_java_start(JNIEnv *env, void *collector, const struct kfr_collector_ops *ops)
{
	char why[256];

	if (!ops->java_enabled(collector))
		return;
	if (kfr_hs_threads_attach(env, &layout, collector, ops->java_thread, why, sizeof(why)))
		set_status(why);
	else
		set_status("");
}

void kfr_hs_java_stop(void *collector)
{
	kfr_hs_threads_detach(collector);
}

jstring JNI_FN(javaFramesStatus)(JNIEnv *env, jclass cls)
{
	char s[sizeof(status)];

	(void)cls;
	pthread_mutex_lock(&lock);
	memcpy(s, status, sizeof(s));
	pthread_mutex_unlock(&lock);
	return (*env)->NewStringUTF(env, s);
}

/* Test-only (kfr.test.javaFrames.corrupt): makes one layout entry wrong, as a JVM whose layout
 * kfr misreads would be, so that tests see the start-up self-test turn Java frames off rather
 * than let wrong names through. "ConstMethod::_name_index" reads the signature index instead:
 * every Java method gets its descriptor as its name. 0, or -1 (unknown entry, no layout). */
jint JNI_FN(javaLayoutTestCorrupt)(JNIEnv *env, jclass cls, jstring entry)
{
	char why[256];
	const char *e = (*env)->GetStringUTFChars(env, entry, NULL);
	int rc = -1;

	(void)cls;
	if (!e)
		return -1;
	if (get_layout(why, sizeof(why)) && !strcmp(e, "ConstMethod::_name_index")) {
		pthread_mutex_lock(&lock);
		layout.cm_name_index = layout.cm_signature_index;
		pthread_mutex_unlock(&lock);
		rc = 0;
	}
	(*env)->ReleaseStringUTFChars(env, entry, e);
	return rc;
}

/* The ClassLoaderData of a Method*'s class (validated by the symbolizer before), 0 if unreadable. */
static uintptr_t method_cld(uintptr_t m)
{
	uint64_t cm = 0, cp = 0, holder = 0, cld = 0;

	if (kfr_safe_u64(m + layout.m_const_method, &cm) || kfr_safe_u64(cm + layout.cm_constants, &cp) ||
	    kfr_safe_u64(cp + layout.cp_pool_holder, &holder) || kfr_safe_u64(holder + layout.klass_cld, &cld))
		return 0;
	return (uintptr_t)cld;
}

static bool permanent(uintptr_t m)
{
	uintptr_t cld = method_cld(m);

	for (int i = 0; cld && i < MAX_PERMANENT; i++) {
		if (permanent_cld[i] == cld)
			return true;
	}
	return false;
}

/* Registers the loader of cls as one that never unloads (its method name/sig identifies a method
 * to reach its metadata: a jmethodID points to a slot holding the Method*). */
jboolean JNI_FN(javaPermanentLoader)(JNIEnv *env, jclass self, jclass cls, jstring name, jstring sig, jboolean is_static)
{
	(void)self;
	const char *n = (*env)->GetStringUTFChars(env, name, NULL);
	const char *g = (*env)->GetStringUTFChars(env, sig, NULL);
	jmethodID id = NULL;
	uint64_t m = 0;
	uintptr_t cld = 0;

	if (n && g)
		id = is_static ? (*env)->GetStaticMethodID(env, cls, n, g) : (*env)->GetMethodID(env, cls, n, g);
	if (n)
		(*env)->ReleaseStringUTFChars(env, name, n);
	if (g)
		(*env)->ReleaseStringUTFChars(env, sig, g);
	if ((*env)->ExceptionCheck(env)) {
		(*env)->ExceptionClear(env);
		return JNI_FALSE;
	}
	if (!id || layout_state <= 0 || kfr_safe_u64((uintptr_t)id, &m) || !(cld = method_cld((uintptr_t)m)))
		return JNI_FALSE;
	pthread_mutex_lock(&lock);
	for (int i = 0; i < MAX_PERMANENT; i++) {
		if (permanent_cld[i] == cld || !permanent_cld[i]) {
			permanent_cld[i] = cld;
			break;
		}
	}
	pthread_mutex_unlock(&lock);
	return JNI_TRUE;
}

/* One line per scope, innermost first:
 *   type \t bci \t line \t hidden \t approx \t permanent \t class \t method \t descriptor \t Method* (hex)
 * (permanent: the method's class loader never unloads classes; Method*: 0 for a stub)
 * type: KFR_JS_*; for stubs class is "" and method the blob name. "!<reason>" if the frame cannot
 * be named (KFR_JS_ERR_*). */
/* The names of one raw frame, one line per scope (KfrNative.javaFrameNames). */
static jstring frame_names(JNIEnv *env, struct kfr_java_frame f)
{
	struct kfr_hs_scope scopes[64];
	static char out[64 * 700];
	char klass[256], name[256], sig[512];
	size_t pos = 0;
	jstring r;

	if (layout_state <= 0)
		return (*env)->NewStringUTF(env, "!layout");
	pthread_mutex_lock(&lock); /* out and the symbolizer: one caller at a time */
	kfr_safe_read_begin();
	int n = kfr_hs_expand(&layout, &f, scopes, 64);
	if (n < 0) {
		snprintf(out, sizeof(out), "!%d", -n);
	} else {
		out[0] = 0;
		for (int i = 0; i < n && pos < sizeof(out) - 1; i++) {
			const struct kfr_hs_scope *s = &scopes[i];

			struct kfr_mn_key key = { s->method, s->holder, s->klass_sym, s->name_sym, s->sig_sym };
			struct kfr_mn_names names = { klass, name, sig, false };
			int err = 0;
			klass[0] = name[0] = sig[0] = 0;
			if (s->type == KFR_JS_STUB) {
				err = kfr_hs_blob_name(&layout, f.ref, name, sizeof(name));
				names.permanent = true;
			} else if (s->type != KFR_JS_UNKNOWN && !kfr_mn_get(&key, &names)) {
				err = kfr_hs_method_names(&layout, s->method, klass, sizeof(klass), name, sizeof(name), sig,
							  sizeof(sig));
				if (!err) {
					names.permanent = permanent(s->method);
					kfr_mn_put(&key, klass, name, sig, names.permanent);
				}
			}
			if (err || s->type == KFR_JS_UNKNOWN) { /* one scope without a name: the frame is unknown */
				snprintf(out, sizeof(out), "!%d", err ? -err : KFR_JS_ERR_METHOD);
				pos = 0;
				break;
			}
			int w = snprintf(out + pos, sizeof(out) - pos, "%d\t%d\t%d\t%d\t%d\t%d\t%s\t%s\t%s\t%lx\n", s->type,
					 s->bci, s->line, s->hidden, s->approx, names.permanent, names.klass, names.name,
					 names.signature, (unsigned long)s->method);
			if (w < 0 || (size_t)w >= sizeof(out) - pos)
				break;
			pos += (size_t)w;
		}
	}
	kfr_safe_read_end();
	r = (*env)->NewStringUTF(env, out);
	pthread_mutex_unlock(&lock);
	return r;
}

jstring JNI_FN(javaFrameNames)(JNIEnv *env, jclass cls, jlong ref, jint value, jint cookie)
{
	(void)cls;
	return frame_names(env, (struct kfr_java_frame){ .ref = (uint64_t)ref, .value = (uint32_t)value,
							 .cookie = (uint32_t)cookie });
}

/* A pc of this JVM named from user space: the names of the compiled method holding it (as
 * javaFrameNames for an interrupted pc there), or null when pc is in no live nmethod. */
jstring JNI_FN(javaNamesAtPc)(JNIEnv *env, jclass cls, jlong pc)
{
	struct kfr_java_frame f;
	char why[256];

	(void)cls;
	if (!get_layout(why, sizeof(why)) || kfr_hs_pc_frame(&layout, (uintptr_t)pc, &f))
		return NULL;
	return frame_names(env, f);
}

jint JNI_FN(javaDebugPoint)(JNIEnv *env, jclass cls, jlong ref, jint value, jint cookie)
{
	struct kfr_java_frame f = { .ref = (uint64_t)ref, .value = (uint32_t)value, .cookie = (uint32_t)cookie };
	uint32_t point = 0;
	int rc;

	(void)env;
	(void)cls;
	if (layout_state <= 0)
		return -1;
	pthread_mutex_lock(&lock);
	kfr_safe_read_begin();
	rc = kfr_hs_debug_point(&layout, &f, &point);
	kfr_safe_read_end();
	pthread_mutex_unlock(&lock);
	return rc || point > INT32_MAX ? -1 : (jint)point;
}

void JNI_FN(javaNameCachesClear)(JNIEnv *env, jclass cls)
{
	(void)env;
	(void)cls;
	pthread_mutex_lock(&lock);
	kfr_hs_debug_points_clear();
	kfr_mn_clear();
	pthread_mutex_unlock(&lock);
}

jlongArray JNI_FN(javaPcFrame)(JNIEnv *env, jclass cls, jlong pc)
{
	struct kfr_java_frame f;
	char why[256];
	jlong v[3];
	jlongArray r;

	(void)cls;
	if (!get_layout(why, sizeof(why)) || kfr_hs_pc_frame(&layout, (uintptr_t)pc, &f))
		return NULL;
	v[0] = (jlong)f.ref;
	v[1] = (jlong)(jint)f.value;
	v[2] = (jlong)(jint)f.cookie;
	if (!(r = (*env)->NewLongArray(env, 3)))
		return NULL;
	(*env)->SetLongArrayRegion(env, r, 0, 3, v);
	return r;
}

/* "<javaId> <name>" of a thread JVMTI saw start, or null (see kfr_hs_thread_identity). */
jstring JNI_FN(javaThreadIdentity)(JNIEnv *env, jclass cls, jint tid)
{
	char name[160];
	char out[200];
	long long id = -1;

	(void)cls;
	if (!kfr_hs_thread_identity(tid, &id, name, sizeof(name)))
		return NULL;
	snprintf(out, sizeof(out), "%lld %s", id, name);
	return (*env)->NewStringUTF(env, out);
}
