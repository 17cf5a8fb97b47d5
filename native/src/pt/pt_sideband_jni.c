/* JNI of io.kfr.collectors.pt.PtSidebandNative: the JVMTI code sideband (pt_sideband.h). */
#include <jni.h>
#include <stdlib.h>
#include <string.h>
#include <x86intrin.h>

#include "pt/pt_sideband.h"

#define JNI_FN(name) JNIEXPORT JNICALL Java_io_kfr_collectors_pt_PtSidebandNative_##name

/* PtSidebandNative.RECORD_LONGS per record */
enum { R_KIND, R_BEFORE_START, R_ADDRESS, R_SIZE, R_TSC, R_MONO, R_METHOD, R_LOAD_TSC, R_LONGS };

jstring JNI_FN(start)(JNIEnv *env, jclass cls, jboolean copy_unloaded_code)
{
	(void)cls;
	JavaVM *vm = NULL;

	if ((*env)->GetJavaVM(env, &vm) != JNI_OK)
		return (*env)->NewStringUTF(env, "pt sideband: no JavaVM");
	const char *why = kfr_pt_sideband_start(vm, copy_unloaded_code == JNI_TRUE);

	return why ? (*env)->NewStringUTF(env, why) : NULL;
}

void JNI_FN(stop)(JNIEnv *env, jclass cls)
{
	(void)env;
	(void)cls;
	kfr_pt_sideband_stop();
}

jboolean JNI_FN(running)(JNIEnv *env, jclass cls)
{
	(void)env;
	(void)cls;
	return kfr_pt_sideband_running() ? JNI_TRUE : JNI_FALSE;
}

jlongArray JNI_FN(stats)(JNIEnv *env, jclass cls)
{
	(void)cls;
	uint64_t s[KFR_PT_SB_STATS];

	kfr_pt_sideband_stats(s);
	jlongArray out = (*env)->NewLongArray(env, KFR_PT_SB_STATS);

	if (out)
		(*env)->SetLongArrayRegion(env, out, 0, KFR_PT_SB_STATS, (const jlong *)s);
	return out;
}

jlong JNI_FN(tsc)(JNIEnv *env, jclass cls)
{
	(void)env;
	(void)cls;
	return (jlong)__rdtsc();
}

/* The records copied out under the log's lock (no JNI calls there: they could block on a GC). */
struct copy_out {
	int kinds;      /* bit (1 << kind) */
	int with_bytes;
	size_t n, cap;
	jlong *packed;
	char **names;
	uint8_t **bytes;
	int oom;
};

static void collect(const struct kfr_pt_sb_record *r, void *ctx)
{
	struct copy_out *c = ctx;

	if (c->oom || !(c->kinds & (1 << r->kind)) || c->n == c->cap)
		return;
	jlong *p = &c->packed[c->n * R_LONGS];

	p[R_KIND] = r->kind;
	p[R_BEFORE_START] = r->before_start;
	p[R_ADDRESS] = (jlong)r->address;
	p[R_SIZE] = (jlong)r->size;
	p[R_TSC] = (jlong)r->tsc;
	p[R_MONO] = (jlong)r->mono_ns;
	p[R_METHOD] = (jlong)r->method;
	p[R_LOAD_TSC] = (jlong)r->load_tsc;
	c->names[c->n] = r->name ? strdup(r->name) : NULL;
	c->bytes[c->n] = NULL;
	if (c->with_bytes && r->bytes) {
		c->bytes[c->n] = malloc(r->size);
		if (c->bytes[c->n])
			memcpy(c->bytes[c->n], r->bytes, r->size);
		else
			c->oom = 1;
	}
	c->n++;
}

/* {long[] packed (RECORD_LONGS each), String[] names, byte[][] bytes}, oldest first, or null. */
jobjectArray JNI_FN(records)(JNIEnv *env, jclass cls, jint kinds, jboolean with_bytes)
{
	(void)cls;
	uint64_t s[KFR_PT_SB_STATS];

	kfr_pt_sideband_stats(s);
	struct copy_out c = {.kinds = kinds, .with_bytes = with_bytes, .cap = s[KFR_PT_SB_KEPT] + 1024};

	c.packed = malloc(c.cap * R_LONGS * sizeof(jlong));
	c.names = calloc(c.cap, sizeof(char *));
	c.bytes = calloc(c.cap, sizeof(uint8_t *));
	jobjectArray out = NULL;

	if (!c.packed || !c.names || !c.bytes)
		goto done;
	kfr_pt_sideband_each(collect, &c);
	if (c.oom)
		goto done;
	jclass object = (*env)->FindClass(env, "java/lang/Object");
	jclass string = (*env)->FindClass(env, "java/lang/String");
	jclass byte_array = (*env)->FindClass(env, "[B");

	if (!object || !string || !byte_array)
		goto done;
	jlongArray packed = (*env)->NewLongArray(env, (jsize)(c.n * R_LONGS));
	jobjectArray names = (*env)->NewObjectArray(env, (jsize)c.n, string, NULL);
	jobjectArray bytes = (*env)->NewObjectArray(env, (jsize)c.n, byte_array, NULL);

	if (!packed || !names || !bytes)
		goto done;
	(*env)->SetLongArrayRegion(env, packed, 0, (jsize)(c.n * R_LONGS), c.packed);
	for (size_t i = 0; i < c.n && !(*env)->ExceptionCheck(env); i++) {
		if (c.names[i]) {
			jstring n = (*env)->NewStringUTF(env, c.names[i]);

			(*env)->SetObjectArrayElement(env, names, (jsize)i, n);
			(*env)->DeleteLocalRef(env, n);
		}
		if (c.bytes[i]) {
			jsize len = (jsize)c.packed[i * R_LONGS + R_SIZE];
			jbyteArray b = (*env)->NewByteArray(env, len);

			if (b) {
				(*env)->SetByteArrayRegion(env, b, 0, len, (const jbyte *)c.bytes[i]);
				(*env)->SetObjectArrayElement(env, bytes, (jsize)i, b);
				(*env)->DeleteLocalRef(env, b);
			}
		}
	}
	if ((*env)->ExceptionCheck(env))
		goto done;
	out = (*env)->NewObjectArray(env, 3, object, NULL);
	if (out) {
		(*env)->SetObjectArrayElement(env, out, 0, packed);
		(*env)->SetObjectArrayElement(env, out, 1, names);
		(*env)->SetObjectArrayElement(env, out, 2, bytes);
	}
done:
	for (size_t i = 0; i < c.n; i++) {
		free(c.names[i]);
		free(c.bytes[i]);
	}
	free(c.packed);
	free(c.names);
	free(c.bytes);
	return out;
}

jstring JNI_FN(methodName)(JNIEnv *env, jclass cls, jlong method)
{
	(void)cls;
	char *name = kfr_pt_sideband_method_name((uint64_t)method);
	jstring out = name ? (*env)->NewStringUTF(env, name) : NULL;

	free(name);
	return out;
}
