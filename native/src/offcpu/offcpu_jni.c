/* The off-CPU collector's own JNI (io.kfr.collectors.natives.KfrNative.offcpu*): its open and the
 * calls only it has. Poll, stacks, statistics, detach, close: the generic surface
 * (common/collector_jni.c) over kfr_offcpu_ops. */
#include <jni.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/types.h>

#include "common/handles.h"
#include "common/jni_util.h"
#include "common/kfr_error.h"
#include "common/open_job_jni.h"
#include "hotspot/hotspot_jni.h"
#include "offcpu/offcpu_loader.h"
#include "offcpu/offcpu_records.h"

#define JNI_FN(name) JNIEXPORT JNICALL Java_io_kfr_collectors_natives_KfrNative_##name

static struct kfr_offcpu *acquire(jlong handle, const char *what)
{
	return kfr_handle_acquire((uint64_t)handle, &kfr_offcpu_ops, NULL, what);
}

struct open_args {
	int tgid;
	uint64_t threshold_ns;
	uint32_t ringbuf_bytes;
	uint32_t preempted_one_in;
	bool java;
	struct kfr_walk_cfg cfg;
};

static void *open_collector(void *arg)
{
	struct open_args *a = arg;

	return kfr_offcpu_open(a->tgid, a->threshold_ns, a->ringbuf_bytes, a->preempted_one_in,
			       a->java ? &a->cfg : NULL);
}

/* The open runs on a thread of its own (common/open_job.h): a job, or 0 (error set). */
jlong JNI_FN(offcpuOpenBegin)(JNIEnv *env, jclass cls, jint tgid, jlong threshold_ns, jint ringbuf_bytes,
			     jint preempted_one_in, jboolean java_frames)
{
	(void)env;
	(void)cls;
	struct open_args *a;

	if (threshold_ns < 0 || ringbuf_bytes <= 0 || preempted_one_in <= 0) {
		kfr_set_error("offcpuOpen: thresholdNs must be >= 0, ringBufferBytes and preemptedOneIn > 0");
		return 0;
	}
	if (!(a = calloc(1, sizeof(*a)))) {
		kfr_set_error("offcpuOpen: out of memory");
		return 0;
	}
	a->tgid = tgid;
	a->threshold_ns = (uint64_t)threshold_ns;
	a->ringbuf_bytes = (uint32_t)ringbuf_bytes;
	a->preempted_one_in = (uint32_t)preempted_one_in;
	/* Java frames only for our own process: the walker reads the JVM's layout from this one */
	a->java = java_frames && tgid == getpid() && kfr_hs_java_cfg(&a->cfg) == 0;
	return (jlong)(uintptr_t)kfr_open_job_start(open_collector, a);
}

/* The collector of a done job (offcpuOpenBegin): a handle, or 0 (error set). */
jlong JNI_FN(offcpuOpenEnd)(JNIEnv *env, jclass cls, jlong job)
{
	(void)cls;
	return kfr_open_job_handle(env, (struct kfr_open_job *)(uintptr_t)job, &kfr_offcpu_ops, "offcpuOpen");
}

jstring JNI_FN(offcpuAttachMode)(JNIEnv *env, jclass cls, jlong handle)
{
	(void)cls;
	struct kfr_offcpu *o = acquire(handle, "offcpuAttachMode");
	jstring s;

	if (!o)
		return NULL;
	s = (*env)->NewStringUTF(env, kfr_offcpu_attach_mode(o));
	kfr_handle_release((uint64_t)handle);
	return s;
}

jint JNI_FN(offcpuDrainAggregates)(JNIEnv *env, jclass cls, jlong handle, jobject buf, jboolean swap)
{
	(void)cls;
	size_t cap;
	void *p = kfr_jni_direct(env, buf, &cap, "offcpuDrainAggregates");
	struct kfr_offcpu *o;
	int n;

	if (!p)
		return -EINVAL;
	if (!(o = acquire(handle, "offcpuDrainAggregates")))
		return -EBADF;
	n = kfr_offcpu_drain(o, p, cap, swap == JNI_TRUE);
	kfr_handle_release((uint64_t)handle);
	return n;
}

jint JNI_FN(offcpuPendingStacks)(JNIEnv *env, jclass cls, jlong handle, jintArray tids, jint n, jintArray out)
{
	(void)cls;
	jint cap = out ? (*env)->GetArrayLength(env, out) : 0;
	struct kfr_offcpu *o;
	jint *t, *ids;
	int w;

	if (!tids || n < 0 || n > (*env)->GetArrayLength(env, tids) || !out) {
		kfr_set_error("offcpuPendingStacks: bad arguments");
		return -EINVAL;
	}
	if (!(o = acquire(handle, "offcpuPendingStacks")))
		return -EBADF;
	t = (*env)->GetIntArrayElements(env, tids, NULL);
	ids = (*env)->GetIntArrayElements(env, out, NULL);
	w = t && ids ? kfr_offcpu_pending_stacks(o, t, n, ids, cap) : -ENOMEM;
	if (t)
		(*env)->ReleaseIntArrayElements(env, tids, t, JNI_ABORT);
	if (ids)
		(*env)->ReleaseIntArrayElements(env, out, ids, w > 0 ? 0 : JNI_ABORT);
	kfr_handle_release((uint64_t)handle);
	return w;
}

jint JNI_FN(offcpuExcludeThread)(JNIEnv *env, jclass cls, jlong handle, jint tid)
{
	(void)env;
	(void)cls;
	struct kfr_offcpu *o = acquire(handle, "offcpuExcludeThread");
	int err;

	if (!o)
		return -EBADF;
	err = kfr_offcpu_exclude_thread(o, tid);
	kfr_handle_release((uint64_t)handle);
	return err;
}

/* The raw comm bytes (Java decodes them: comm is not necessarily modified UTF-8), or null. */
jbyteArray JNI_FN(offcpuThreadNameBytes)(JNIEnv *env, jclass cls, jlong handle, jint tid)
{
	(void)cls;
	char name[KFR_COMM_LEN];
	struct kfr_offcpu *o = acquire(handle, "offcpuThreadName");
	jbyteArray out;
	int err;

	if (!o)
		return NULL;
	err = kfr_offcpu_thread_name(o, tid, name);
	kfr_handle_release((uint64_t)handle);
	if (err)
		return NULL;
	jsize len = (jsize)strnlen(name, sizeof(name));
	out = (*env)->NewByteArray(env, len);
	if (out)
		(*env)->SetByteArrayRegion(env, out, 0, len, (const jbyte *)name);
	return out;
}
