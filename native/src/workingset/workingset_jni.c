/* The working-set collector's own JNI (io.kfr.collectors.workingset.WorkingSetNative): its open,
 * the process and the thread it records or leaves out, and its page set. Poll, stacks, statistics,
 * detach, close: the generic surface (common/collector_jni.c) over kfr_workingset_ops. */
#include <jni.h>
#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/handles.h"
#include "common/jni_util.h"
#include "common/kfr_error.h"
#include "hotspot/hotspot_jni.h"
#include "hotspot/kfr_walk_cfg.h"
#include "workingset/workingset_loader.h"

#define JNI_FN(name) JNIEXPORT JNICALL Java_io_kfr_collectors_workingset_WorkingSetNative_##name

jlong JNI_FN(open)(JNIEnv *env, jclass cls, jint tgid, jlong wait_window_ns, jint ringbuf_bytes)
{
	struct kfr_ws *ws;
	uint64_t h;

	(void)env;
	(void)cls;
	if (tgid < 0 || wait_window_ns < 0 || ringbuf_bytes < 0) {
		kfr_set_error("workingset open: invalid arguments");
		return 0;
	}
	if (kfr_ws_open(&ws, tgid, (uint64_t)wait_window_ns, (size_t)ringbuf_bytes))
		return 0;
	h = kfr_handle_add(ws, &kfr_workingset_ops);
	if (!h) {
		kfr_ws_close(ws);
		kfr_set_error("workingset open: too many open collectors");
	}
	return (jlong)h;
}

/* The walker for this JVM (the collector's target must be this process); 0 or -errno. */
jint JNI_FN(javaLoad)(JNIEnv *env, jclass cls, jlong handle)
{
	struct kfr_walk_cfg walk;
	struct kfr_ws *ws;
	int err;

	(void)cls;
	if (kfr_hs_java_cfg(&walk))
		return -ENOTSUP; /* javaFramesStatus says why */
	if (!(ws = kfr_handle_acquire((uint64_t)handle, &kfr_workingset_ops, NULL, "workingset javaLoad")))
		return -EBADF;
	err = kfr_ws_java_load(ws, &walk);
	if (!err)
		kfr_hs_java_start(env, ws, &kfr_workingset_ops);
	kfr_handle_release((uint64_t)handle);
	return err;
}

jint JNI_FN(javaOn)(JNIEnv *env, jclass cls, jlong handle, jboolean on)
{
	struct kfr_ws *ws;

	(void)env;
	(void)cls;
	if (!(ws = kfr_handle_acquire((uint64_t)handle, &kfr_workingset_ops, NULL, "workingset javaOn")))
		return -EBADF;
	kfr_ws_java_on(ws, on);
	kfr_handle_release((uint64_t)handle);
	return 0;
}

jint JNI_FN(target)(JNIEnv *env, jclass cls, jlong handle, jint tgid)
{
	struct kfr_ws *ws;

	(void)env;
	(void)cls;
	if (tgid < 0)
		return -EINVAL;
	if (!(ws = kfr_handle_acquire((uint64_t)handle, &kfr_workingset_ops, NULL, "workingset target")))
		return -EBADF;
	kfr_ws_set_target(ws, tgid);
	kfr_handle_release((uint64_t)handle);
	return 0;
}

jint JNI_FN(exclude)(JNIEnv *env, jclass cls, jlong handle, jint tid)
{
	struct kfr_ws *ws;

	(void)env;
	(void)cls;
	if (tid < 0)
		return -EINVAL;
	if (!(ws = kfr_handle_acquire((uint64_t)handle, &kfr_workingset_ops, NULL, "workingset exclude")))
		return -EBADF;
	kfr_ws_exclude_thread(ws, tid);
	kfr_handle_release((uint64_t)handle);
	return 0;
}

/* (key, value) pairs, 40 bytes each; how many, or -errno. */
jint JNI_FN(chunks)(JNIEnv *env, jclass cls, jlong handle, jobject buf)
{
	size_t cap, max;
	unsigned char *p = kfr_jni_direct(env, buf, &cap, "workingset chunks");
	struct kfr_ws_chunk_key *keys;
	struct kfr_ws_chunk_val *vals;
	struct kfr_ws *ws;
	int n;

	(void)cls;
	if (!p)
		return -EINVAL;
	max = cap / (sizeof(*keys) + sizeof(*vals));
	keys = calloc(max ? max : 1, sizeof(*keys));
	vals = calloc(max ? max : 1, sizeof(*vals));
	if (!keys || !vals) {
		free(keys);
		free(vals);
		return -ENOMEM;
	}
	if (!(ws = kfr_handle_acquire((uint64_t)handle, &kfr_workingset_ops, NULL, "workingset chunks"))) {
		free(keys);
		free(vals);
		return -EBADF;
	}
	n = kfr_ws_chunks(ws, keys, vals, max);
	kfr_handle_release((uint64_t)handle);
	for (int i = 0; i < n; i++) {
		memcpy(p + (size_t)i * 40, &keys[i], sizeof(keys[i]));
		memcpy(p + (size_t)i * 40 + sizeof(keys[i]), &vals[i], sizeof(vals[i]));
	}
	free(keys);
	free(vals);
	return n;
}
