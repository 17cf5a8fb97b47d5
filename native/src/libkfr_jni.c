/* JNI glue for io.kfr.collectors.natives.KfrNative: argument checks, handle validation,
 * direct-buffer access. The work is in offcpu_loader.c. */
#include <jni.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "common/handles.h"
#include "common/jni_util.h"
#include "hotspot/hotspot_jni.h"
#include <malloc.h>
#include <sys/mman.h>

#include "hotspot/hotspot_threads.h"
#include "common/kfr_error.h"
#include "offcpu/offcpu_records.h"
#include "hotspot/java_stack_records.h"
#include "offcpu/offcpu_loader.h"

#define KFR_VERSION "0.1.0"
#define MAX_STACK_DEPTH 127

#define JNI_FN(name) JNIEXPORT JNICALL Java_io_kfr_collectors_natives_KfrNative_##name

static struct kfr_offcpu *acquire(jlong handle, const char *what)
{
	struct kfr_offcpu *o = kfr_handle_acquire((uint64_t)handle, KFR_HANDLE_OFFCPU);

	if (!o)
		kfr_set_error("%s: invalid or closed handle 0x%llx", what, (unsigned long long)handle);
	return o;
}

static void release(jlong handle)
{
	kfr_handle_release((uint64_t)handle);
}

/*
 * After a stop: hand the memory the collectors' threads freed back to the system. glibc gives each
 * new thread an arena of its own and keeps freed memory there, so without this every start/stop
 * cycle with new collector threads raised the JVM's RSS (~10 MB over 30 cycles seen here).
 */
void JNI_FN(releaseFreedMemory)(JNIEnv *env, jclass cls)
{
	(void)env;
	(void)cls;
	malloc_trim(0);
}

/*
 * Off-heap memory for kfr's own tables (symbol tables and what they are built from), so that they
 * live neither in the application's Java heap nor under -XX:MaxDirectMemorySize (which defaults to
 * -Xmx): a JVM with a small heap must not pay for kfr's ~15 MB of symbols. Anonymous mappings, so
 * that freeing returns the pages at once; the Java side frees each buffer exactly once.
 */
jobject JNI_FN(allocateMemory)(JNIEnv *env, jclass cls, jlong bytes)
{
	(void)cls;
	if (bytes <= 0 || bytes > 0x7fffffffL)
		return NULL;
	void *p = mmap(NULL, (size_t)bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	jobject b = (*env)->NewDirectByteBuffer(env, p, bytes);

	if (!b)
		munmap(p, (size_t)bytes);
	return b;
}

void JNI_FN(freeMemory)(JNIEnv *env, jclass cls, jobject buffer)
{
	(void)cls;
	void *p = (*env)->GetDirectBufferAddress(env, buffer);
	jlong n = (*env)->GetDirectBufferCapacity(env, buffer);

	if (p && n > 0)
		munmap(p, (size_t)n);
}

jstring JNI_FN(lastError)(JNIEnv *env, jclass cls)
{
	(void)cls;
	const char *e = kfr_last_error();

	return e ? (*env)->NewStringUTF(env, e) : NULL;
}

jstring JNI_FN(version)(JNIEnv *env, jclass cls)
{
	(void)cls;
	char v[64];

	snprintf(v, sizeof(v), "kfr " KFR_VERSION " (libbpf %u.%u)", libbpf_major_version(),
		 libbpf_minor_version());
	return (*env)->NewStringUTF(env, v);
}

jlong JNI_FN(offcpuOpen)(JNIEnv *env, jclass cls, jint tgid, jlong threshold_ns, jint ringbuf_bytes,
			jboolean java_frames)
{
	(void)cls;
	struct kfr_offcpu *o;
	struct kfr_walk_cfg cfg;
	uint64_t h;

	if (threshold_ns < 0 || ringbuf_bytes <= 0) {
		kfr_set_error("offcpuOpen: thresholdNs must be >= 0 and ringBufferBytes > 0");
		return 0;
	}
	/* Java frames only for our own process: the walker reads the JVM's layout from this one */
	bool java = java_frames && tgid == getpid() && kfr_hs_java_cfg(&cfg) == 0;
	o = kfr_offcpu_open(tgid, (uint64_t)threshold_ns, (uint32_t)ringbuf_bytes, java ? &cfg : NULL);
	if (!o)
		return 0;
	h = kfr_handle_add(o, KFR_HANDLE_OFFCPU);
	if (!h) {
		kfr_offcpu_close(o);
		kfr_set_error("offcpuOpen: too many open collectors");
		return 0;
	}
	if (java)
		kfr_hs_java_start(env, o);
	return (jlong)h;
}

jstring JNI_FN(offcpuAttachMode)(JNIEnv *env, jclass cls, jlong handle)
{
	(void)cls;
	struct kfr_offcpu *o = acquire(handle, "offcpuAttachMode");
	jstring s;

	if (!o)
		return NULL;
	s = (*env)->NewStringUTF(env, kfr_offcpu_attach_mode(o));
	release(handle);
	return s;
}

jint JNI_FN(offcpuPoll)(JNIEnv *env, jclass cls, jlong handle, jobject buf, jint timeout_ms)
{
	(void)cls;
	size_t cap;
	void *p = kfr_jni_direct(env, buf, &cap, "offcpuPoll");
	struct kfr_offcpu *o;
	int n;

	if (!p)
		return -EINVAL;
	o = acquire(handle, "offcpuPoll");
	if (!o)
		return -EBADF;
	n = kfr_offcpu_poll(o, p, cap, timeout_ms);
	release(handle);
	return n;
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
	o = acquire(handle, "offcpuDrainAggregates");
	if (!o)
		return -EBADF;
	n = kfr_offcpu_drain(o, p, cap, swap == JNI_TRUE);
	release(handle);
	return n;
}

/* Java stack records (kfr_records.h struct kfr_java_stack, back to back); returns bytes. */
jint JNI_FN(offcpuJavaStacks)(JNIEnv *env, jclass cls, jlong handle, jobject buf)
{
	(void)cls;
	size_t cap;
	void *p = kfr_jni_direct(env, buf, &cap, "offcpuJavaStacks");
	struct kfr_offcpu *o;
	int n;

	if (!p)
		return -EINVAL;
	o = acquire(handle, "offcpuJavaStacks");
	if (!o)
		return -EBADF;
	n = kfr_offcpu_java_stacks(o, p, cap);
	release(handle);
	return n;
}

jint JNI_FN(offcpuJavaForget)(JNIEnv *env, jclass cls, jlong handle)
{
	(void)env;
	(void)cls;
	struct kfr_offcpu *o = acquire(handle, "offcpuJavaForget");
	int n;

	if (!o)
		return -EBADF;
	n = kfr_offcpu_java_forget(o);
	release(handle);
	return n;
}

jint JNI_FN(offcpuStack)(JNIEnv *env, jclass cls, jlong handle, jint stack_id, jlongArray ips)
{
	(void)cls;
	uint64_t frames[MAX_STACK_DEPTH];
	struct kfr_offcpu *o;
	jsize len;
	int n;

	if (!ips) {
		kfr_set_error("offcpuStack: ips is null");
		return 0;
	}
	len = (*env)->GetArrayLength(env, ips);
	o = acquire(handle, "offcpuStack");
	if (!o)
		return 0;
	n = kfr_offcpu_stack(o, stack_id, frames, len < MAX_STACK_DEPTH ? len : MAX_STACK_DEPTH);
	release(handle);
	if (n > 0)
		(*env)->SetLongArrayRegion(env, ips, 0, n, (const jlong *)frames);
	return n < 0 ? 0 : n;
}

void JNI_FN(offcpuStats)(JNIEnv *env, jclass cls, jlong handle, jlongArray out)
{
	(void)cls;
	int64_t vals[KFR_STAT__LEN];
	struct kfr_offcpu *o;
	jsize len;

	if (!out) {
		kfr_set_error("offcpuStats: out is null");
		return;
	}
	len = (*env)->GetArrayLength(env, out);
	o = acquire(handle, "offcpuStats");
	if (!o)
		return;
	int err = kfr_offcpu_stats(o, vals, KFR_STAT__LEN);
	release(handle);
	if (!err)
		(*env)->SetLongArrayRegion(env, out, 0, len < KFR_STAT__LEN ? len : KFR_STAT__LEN,
					   (const jlong *)vals);
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
	release(handle);
	return err;
}

jint JNI_FN(offcpuDetach)(JNIEnv *env, jclass cls, jlong handle)
{
	(void)env;
	(void)cls;
	struct kfr_offcpu *o = acquire(handle, "offcpuDetach");
	int err;

	if (!o)
		return -EBADF;
	err = kfr_offcpu_detach(o);
	release(handle);
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
	release(handle);
	if (err)
		return NULL;
	jsize len = (jsize)strnlen(name, sizeof(name));
	out = (*env)->NewByteArray(env, len);
	if (out)
		(*env)->SetByteArrayRegion(env, out, 0, len, (const jbyte *)name);
	return out;
}

static void wake_offcpu(void *o)
{
	kfr_offcpu_wake(o);
}

/* Ends a waiting poll now (a stop need not wait for the poll's timeout). */
void JNI_FN(offcpuWake)(JNIEnv *env, jclass cls, jlong handle)
{
	(void)env;
	(void)cls;
	struct kfr_offcpu *o = acquire(handle, "offcpuWake");

	if (!o)
		return;
	kfr_offcpu_wake(o);
	release(handle);
}

void JNI_FN(offcpuClose)(JNIEnv *env, jclass cls, jlong handle)
{
	(void)env;
	(void)cls;
	/* wakes a waiting poll and waits for calls in progress on this handle to return */
	struct kfr_offcpu *o = kfr_handle_remove((uint64_t)handle, KFR_HANDLE_OFFCPU, wake_offcpu);

	if (o)
		kfr_hs_java_stop(o);
	kfr_offcpu_close(o);
}

JNIEXPORT jint JNICALL JNI_OnLoad(JavaVM *vm, void *reserved)
{
	(void)reserved;
	kfr_libbpf_log_init();
	kfr_hs_threads_init(vm); /* without JVMTI, Java frames are off (javaFramesStatus says why) */
	return JNI_VERSION_1_8;
}
