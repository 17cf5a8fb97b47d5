/* The JNI surface every collector shares (io.kfr.collectors.natives.KfrNative.collector*): handle
 * validation, direct buffers and arrays, then a call through the handle's table (collector.h).
 * Every call on a bad or closed handle fails the same way: -EBADF (or nothing, for the void
 * ones), with "<call>: invalid or closed handle" as the last error. */
#include <jni.h>
#include <errno.h>
#include <stdint.h>

#include "common/collector.h"
#include "common/handles.h"
#include "common/jni_util.h"
#include "common/kfr_error.h"
#include "common/open_job.h"
#include "hotspot/hotspot_jni.h"

#define JNI_FN(name) JNIEXPORT JNICALL Java_io_kfr_collectors_natives_KfrNative_##name
#define MAX_STACK_DEPTH 127
#define MAX_STATS 64

/* Whether a collector's open job (offcpuOpenBegin, cpuOpenBegin) is done. */
jboolean JNI_FN(openJobDone)(JNIEnv *env, jclass cls, jlong job)
{
	(void)env;
	(void)cls;
	return kfr_open_job_done((const struct kfr_open_job *)(uintptr_t)job) ? JNI_TRUE : JNI_FALSE;
}

jint JNI_FN(collectorPoll)(JNIEnv *env, jclass cls, jlong handle, jobject buf, jint timeout_ms)
{
	(void)cls;
	const struct kfr_collector_ops *ops;
	size_t cap;
	void *p = kfr_jni_direct(env, buf, &cap, "collectorPoll");
	void *c;
	int n;

	if (!p)
		return -EINVAL;
	if (!(c = kfr_handle_acquire((uint64_t)handle, NULL, &ops, "collectorPoll")))
		return -EBADF;
	n = ops->poll(c, p, cap, timeout_ms);
	kfr_handle_release((uint64_t)handle);
	return n;
}

jint JNI_FN(collectorStack)(JNIEnv *env, jclass cls, jlong handle, jint stack_id, jlongArray ips)
{
	(void)cls;
	const struct kfr_collector_ops *ops;
	uint64_t frames[MAX_STACK_DEPTH];
	void *c;
	int n;

	if (!ips) {
		kfr_set_error("collectorStack: ips is null");
		return -EINVAL;
	}
	jsize len = (*env)->GetArrayLength(env, ips);
	if (!(c = kfr_handle_acquire((uint64_t)handle, NULL, &ops, "collectorStack")))
		return -EBADF;
	n = ops->stack(c, stack_id, frames, len < MAX_STACK_DEPTH ? len : MAX_STACK_DEPTH);
	kfr_handle_release((uint64_t)handle);
	if (n > 0)
		(*env)->SetLongArrayRegion(env, ips, 0, n, (const jlong *)frames);
	return n;
}

jint JNI_FN(collectorNextStackEpoch)(JNIEnv *env, jclass cls, jlong handle)
{
	(void)env;
	(void)cls;
	const struct kfr_collector_ops *ops;
	void *c;
	int n;

	if (!(c = kfr_handle_acquire((uint64_t)handle, NULL, &ops, "collectorNextStackEpoch")))
		return -EBADF;
	n = ops->next_stack_epoch ? ops->next_stack_epoch(c) : -EOPNOTSUPP;
	kfr_handle_release((uint64_t)handle);
	return n;
}

jint JNI_FN(collectorStats)(JNIEnv *env, jclass cls, jlong handle, jlongArray out)
{
	(void)cls;
	const struct kfr_collector_ops *ops;
	int64_t vals[MAX_STATS];
	void *c;

	if (!out) {
		kfr_set_error("collectorStats: out is null");
		return -EINVAL;
	}
	jsize len = (*env)->GetArrayLength(env, out);
	if (!(c = kfr_handle_acquire((uint64_t)handle, NULL, &ops, "collectorStats")))
		return -EBADF;
	int n = ops->stats_len < MAX_STATS ? ops->stats_len : MAX_STATS;
	if (len < n)
		n = len;
	int err = ops->stats(c, vals, n);
	kfr_handle_release((uint64_t)handle);
	if (err)
		return err;
	(*env)->SetLongArrayRegion(env, out, 0, n, (const jlong *)vals);
	return n;
}

jint JNI_FN(collectorDetach)(JNIEnv *env, jclass cls, jlong handle)
{
	(void)env;
	(void)cls;
	const struct kfr_collector_ops *ops;
	void *c = kfr_handle_acquire((uint64_t)handle, NULL, &ops, "collectorDetach");
	int err;

	if (!c)
		return -EBADF;
	err = ops->detach(c);
	kfr_handle_release((uint64_t)handle);
	return err;
}

/* Ends a waiting poll now (a stop need not wait for the poll's timeout). */
void JNI_FN(collectorWake)(JNIEnv *env, jclass cls, jlong handle)
{
	(void)env;
	(void)cls;
	const struct kfr_collector_ops *ops;
	void *c = kfr_handle_acquire((uint64_t)handle, NULL, &ops, "collectorWake");

	if (!c)
		return;
	ops->wake(c);
	kfr_handle_release((uint64_t)handle);
}

void JNI_FN(collectorClose)(JNIEnv *env, jclass cls, jlong handle)
{
	(void)env;
	(void)cls;
	const struct kfr_collector_ops *ops;
	/* wakes a waiting poll and waits for calls in progress on this handle to return */
	void *c = kfr_handle_remove((uint64_t)handle, &ops);

	if (!c)
		return;
	kfr_hs_java_stop(c);
	ops->close(c);
}
