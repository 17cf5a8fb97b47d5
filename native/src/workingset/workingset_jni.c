/* JNI glue of the working-set collector (io.kfr.collectors.workingset.WorkingSetNative): argument
 * checks, handles, direct buffers. The work is in workingset_loader.c. */
#include <jni.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "handles.h"
#include "jni_util.h"
#include "kfr_error.h"
#include "workingset_loader.h"

#define JNI_FN(name) JNIEXPORT JNICALL Java_io_kfr_collectors_workingset_WorkingSetNative_##name
#define MAX_STACK_DEPTH 127

static struct kfr_ws *acquire(jlong handle, const char *what)
{
	struct kfr_ws *ws = kfr_handle_acquire((uint64_t)handle, KFR_HANDLE_WORKINGSET);

	if (!ws)
		kfr_set_error("%s: invalid or closed handle 0x%llx", what, (unsigned long long)handle);
	return ws;
}

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
	h = kfr_handle_add(ws, KFR_HANDLE_WORKINGSET);
	if (!h) {
		kfr_ws_close(ws);
		kfr_set_error("workingset open: too many open collectors");
	}
	return (jlong)h;
}

jint JNI_FN(target)(JNIEnv *env, jclass cls, jlong handle, jint tgid)
{
	struct kfr_ws *ws;

	(void)env;
	(void)cls;
	if (tgid < 0)
		return -EINVAL;
	if (!(ws = acquire(handle, "workingset target")))
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
	if (!(ws = acquire(handle, "workingset exclude")))
		return -EBADF;
	kfr_ws_exclude_thread(ws, tid);
	kfr_handle_release((uint64_t)handle);
	return 0;
}

jint JNI_FN(poll)(JNIEnv *env, jclass cls, jlong handle, jobject buf, jint timeout_ms)
{
	size_t cap;
	void *p = kfr_jni_direct(env, buf, &cap, "workingset poll");
	struct kfr_ws *ws;
	int n;

	(void)cls;
	if (!p)
		return -EINVAL;
	if (!(ws = acquire(handle, "workingset poll")))
		return -EBADF;
	n = kfr_ws_poll_into(ws, timeout_ms, p, cap);
	kfr_handle_release((uint64_t)handle);
	return n;
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
	if (!(ws = acquire(handle, "workingset chunks"))) {
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

jint JNI_FN(counters)(JNIEnv *env, jclass cls, jlong handle, jlongArray out)
{
	int64_t c[KFR_WS_CNT_NR];
	struct kfr_ws *ws;
	int err;

	(void)cls;
	if ((*env)->GetArrayLength(env, out) < KFR_WS_CNT_NR)
		return -EINVAL;
	if (!(ws = acquire(handle, "workingset counters")))
		return -EBADF;
	err = kfr_ws_counters(ws, c);
	kfr_handle_release((uint64_t)handle);
	if (!err)
		(*env)->SetLongArrayRegion(env, out, 0, KFR_WS_CNT_NR, (const jlong *)c);
	return err;
}

jint JNI_FN(stack)(JNIEnv *env, jclass cls, jlong handle, jint stack_id, jlongArray out)
{
	uint64_t ips[MAX_STACK_DEPTH];
	struct kfr_ws *ws;
	int n, max = (*env)->GetArrayLength(env, out);

	(void)cls;
	if (!(ws = acquire(handle, "workingset stack")))
		return -EBADF;
	n = kfr_ws_stack(ws, stack_id, ips, max < MAX_STACK_DEPTH ? max : MAX_STACK_DEPTH);
	kfr_handle_release((uint64_t)handle);
	if (n > 0)
		(*env)->SetLongArrayRegion(env, out, 0, n, (const jlong *)ips);
	return n;
}

void JNI_FN(close)(JNIEnv *env, jclass cls, jlong handle)
{
	struct kfr_ws *ws = kfr_handle_remove((uint64_t)handle, KFR_HANDLE_WORKINGSET, NULL);

	(void)env;
	(void)cls;
	kfr_ws_close(ws);
}
