/* The shared Java stack ring's JNI (io.kfr.collectors.natives.KfrNative.javaStacks*): one reader
 * for every collector with Java frames (hotspot/java_maps.h). */
#include <jni.h>
#include <errno.h>

#include "common/jni_util.h"
#include "hotspot/java_maps.h"

#define JNI_FN(name) JNIEXPORT JNICALL Java_io_kfr_collectors_natives_KfrNative_##name

jint JNI_FN(javaStacksRead)(JNIEnv *env, jclass cls, jobject buf)
{
	(void)cls;
	size_t cap;
	void *p = kfr_jni_direct(env, buf, &cap, "javaStacksRead");

	return p ? kfr_hs_java_stacks_read(p, cap) : -EINVAL;
}

jint JNI_FN(javaStacksForget)(JNIEnv *env, jclass cls)
{
	(void)env;
	(void)cls;
	return kfr_hs_java_stacks_forget();
}
