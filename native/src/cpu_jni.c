/* JNI glue of the CPU sampler (io.kfr.collectors.natives.KfrNative.cpu*): argument checks,
 * handles, direct buffers. The work is in cpu_loader.c. */
#include <jni.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <linux/types.h>

#include "cpu/cpu_loader.h"
#include "common/handles.h"
#include "hotspot/hotspot_layout.h"
#include "hotspot/hotspot_jni.h"
#include "common/jni_util.h"
#include "common/kfr_error.h"
#include "cpu/cpu_records.h"
#include "hotspot/java_stack_records.h"

#define JNI_FN(name) JNIEXPORT JNICALL Java_io_kfr_collectors_natives_KfrNative_##name
#define MAX_STACK_DEPTH 127

static struct kfr_cpu *acquire(jlong handle, const char *what)
{
	struct kfr_cpu *o = kfr_handle_acquire((uint64_t)handle, KFR_HANDLE_CPU);

	if (!o)
		kfr_set_error("%s: invalid or closed handle 0x%llx", what, (unsigned long long)handle);
	return o;
}

jlong JNI_FN(cpuOpen)(JNIEnv *env, jclass cls, jint tgid, jlong interval_ns, jlong event_count, jstring event,
		      jint ringbuf_bytes, jboolean java_frames)
{
	(void)cls;
	struct kfr_walk_cfg walk;
	char ev[32] = "auto";
	uint64_t h;

	if (interval_ns < 0 || event_count < 0 || ringbuf_bytes <= 0) {
		kfr_set_error("cpuOpen: invalid interval or ring buffer size");
		return 0;
	}
	if (event) {
		const char *e = (*env)->GetStringUTFChars(env, event, NULL);
		if (e) {
			strncpy(ev, e, sizeof(ev) - 1);
			(*env)->ReleaseStringUTFChars(env, event, e);
		}
	}
	struct kfr_cpu_cfg cfg = { .interval_ns = (uint64_t)interval_ns, .event_count = (uint64_t)event_count, .event = ev };
	bool java = java_frames && tgid == getpid() && kfr_hs_java_cfg(&walk) == 0;
	struct kfr_cpu *o = kfr_cpu_open(tgid, &cfg, (uint32_t)ringbuf_bytes, java ? &walk : NULL);
	if (!o)
		return 0;
	h = kfr_handle_add(o, KFR_HANDLE_CPU);
	if (!h) {
		kfr_cpu_close(o);
		kfr_set_error("cpuOpen: too many open collectors");
		return 0;
	}
	if (java) {
		kfr_hs_java_start_cpu(env, o);
		/* debug info at non-safepoints, so that a sampled pc in compiled code names its inlined
		 * methods (what JFR and async-profiler do); for code compiled from now on */
		kfr_hs_set_bool_flag("DebugNonSafepoints", true);
	}
	return (jlong)h;
}

jstring JNI_FN(cpuEvent)(JNIEnv *env, jclass cls, jlong handle)
{
	(void)cls;
	struct kfr_cpu *o = acquire(handle, "cpuEvent");
	jstring s;

	if (!o)
		return NULL;
	s = (*env)->NewStringUTF(env, kfr_cpu_event(o));
	kfr_handle_release((uint64_t)handle);
	return s;
}

jint JNI_FN(cpuPoll)(JNIEnv *env, jclass cls, jlong handle, jobject buf, jint timeout_ms)
{
	(void)cls;
	size_t cap;
	void *p = kfr_jni_direct(env, buf, &cap, "cpuPoll");
	struct kfr_cpu *o;
	int n;

	if (!p)
		return -EINVAL;
	if (!(o = acquire(handle, "cpuPoll")))
		return -EBADF;
	n = kfr_cpu_poll(o, p, cap, timeout_ms);
	kfr_handle_release((uint64_t)handle);
	return n;
}

jint JNI_FN(cpuJavaStacks)(JNIEnv *env, jclass cls, jlong handle, jobject buf)
{
	(void)cls;
	size_t cap;
	void *p = kfr_jni_direct(env, buf, &cap, "cpuJavaStacks");
	struct kfr_cpu *o;
	int n;

	if (!p)
		return -EINVAL;
	if (!(o = acquire(handle, "cpuJavaStacks")))
		return -EBADF;
	n = kfr_cpu_java_stacks(o, p, cap);
	kfr_handle_release((uint64_t)handle);
	return n;
}

jint JNI_FN(cpuJavaForget)(JNIEnv *env, jclass cls, jlong handle)
{
	(void)env;
	(void)cls;
	struct kfr_cpu *o = acquire(handle, "cpuJavaForget");
	int n;

	if (!o)
		return -EBADF;
	n = kfr_cpu_java_forget(o);
	kfr_handle_release((uint64_t)handle);
	return n;
}

jint JNI_FN(cpuStack)(JNIEnv *env, jclass cls, jlong handle, jint stack_id, jlongArray ips)
{
	(void)cls;
	uint64_t frames[MAX_STACK_DEPTH];
	struct kfr_cpu *o;
	jsize len;
	int n;

	if (!ips || !(o = acquire(handle, "cpuStack")))
		return -EBADF;
	len = (*env)->GetArrayLength(env, ips);
	n = kfr_cpu_stack(o, stack_id, frames, len < MAX_STACK_DEPTH ? len : MAX_STACK_DEPTH);
	kfr_handle_release((uint64_t)handle);
	if (n > 0)
		(*env)->SetLongArrayRegion(env, ips, 0, n, (const jlong *)frames);
	return n;
}

void JNI_FN(cpuStats)(JNIEnv *env, jclass cls, jlong handle, jlongArray out)
{
	(void)cls;
	int64_t all[KFR_CPU_STAT__LEN];
	struct kfr_cpu *o;

	if (!out || !(o = acquire(handle, "cpuStats")))
		return;
	jsize len = (*env)->GetArrayLength(env, out);
	if (len > KFR_CPU_STAT__LEN)
		len = KFR_CPU_STAT__LEN;
	if (!kfr_cpu_stats(o, all, len))
		(*env)->SetLongArrayRegion(env, out, 0, len, (const jlong *)all);
	kfr_handle_release((uint64_t)handle);
}

jint JNI_FN(cpuDetach)(JNIEnv *env, jclass cls, jlong handle)
{
	(void)env;
	(void)cls;
	struct kfr_cpu *o = acquire(handle, "cpuDetach");
	int r;

	if (!o)
		return -EBADF;
	r = kfr_cpu_detach(o);
	kfr_handle_release((uint64_t)handle);
	return r;
}

static void wake_cpu(void *o)
{
	kfr_cpu_wake(o);
}

/* Ends a waiting poll now (a stop need not wait for the poll's timeout). */
void JNI_FN(cpuWake)(JNIEnv *env, jclass cls, jlong handle)
{
	(void)env;
	(void)cls;
	struct kfr_cpu *o = acquire(handle, "cpuWake");

	if (!o)
		return;
	kfr_cpu_wake(o);
	kfr_handle_release((uint64_t)handle);
}

void JNI_FN(cpuClose)(JNIEnv *env, jclass cls, jlong handle)
{
	(void)env;
	(void)cls;
	struct kfr_cpu *o = kfr_handle_remove((uint64_t)handle, KFR_HANDLE_CPU, wake_cpu);

	if (o)
		kfr_hs_java_stop(o);
	kfr_cpu_close(o);
}
