/* Library-wide JNI of io.kfr.collectors.natives.KfrNative: load-time setup, version, last error,
 * off-heap memory. */
#include <jni.h>
#include <malloc.h>
#include <stdio.h>
#include <sys/mman.h>

#include <bpf/libbpf.h>

#include "common/kfr_error.h"
#include "hotspot/hotspot_threads.h"

#define KFR_VERSION "0.1.0"

#define JNI_FN(name) JNIEXPORT JNICALL Java_io_kfr_collectors_natives_KfrNative_##name

JNIEXPORT jint JNICALL JNI_OnLoad(JavaVM *vm, void *reserved)
{
	(void)reserved;
	kfr_libbpf_log_init();
	kfr_hs_threads_init(vm); /* without JVMTI, Java frames are off (javaFramesStatus says why) */
	return JNI_VERSION_1_8;
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
