/* JNI glue for io.kfr.collectors.probe.ProbeNative (`kfr doctor`): the probes of probe.h, and
 * whether this JVM's HotSpot layout is one the Java-frame walker reads. */
#include <jni.h>
#include <errno.h>
#include <stdio.h>

#include "hotspot/hotspot_layout.h"
#include "hotspot/hotspot_walk_cfg.h"
#include "common/kfr_error.h"
#include "probe/probe.h"

#define JNI_FN(name) JNIEXPORT JNICALL Java_io_kfr_collectors_probe_ProbeNative_##name

typedef int (*probe1)(const char *);

static jint with_string(JNIEnv *env, jstring s, probe1 probe)
{
	const char *c = s ? (*env)->GetStringUTFChars(env, s, NULL) : NULL;

	if (!c) {
		kfr_set_error("probe: no name given");
		return EINVAL;
	}
	int r = probe(c);
	(*env)->ReleaseStringUTFChars(env, s, c);
	return r;
}

jint JNI_FN(program)(JNIEnv *env, jclass cls, jstring kind)
{
	(void)cls;
	return with_string(env, kind, kfr_probe_prog);
}

jint JNI_FN(map)(JNIEnv *env, jclass cls, jstring kind)
{
	(void)cls;
	return with_string(env, kind, kfr_probe_map);
}

jint JNI_FN(perf)(JNIEnv *env, jclass cls, jstring kind)
{
	(void)cls;
	return with_string(env, kind, kfr_probe_perf);
}

jint JNI_FN(tracepoint)(JNIEnv *env, jclass cls, jstring name)
{
	(void)cls;
	return with_string(env, name, kfr_probe_tracepoint);
}

jint JNI_FN(bpfStats)(JNIEnv *env, jclass cls)
{
	(void)env;
	(void)cls;
	return kfr_probe_bpf_stats();
}

jint JNI_FN(helper)(JNIEnv *env, jclass cls, jstring prog, jstring helper)
{
	(void)cls;
	const char *p = prog ? (*env)->GetStringUTFChars(env, prog, NULL) : NULL;
	const char *h = helper ? (*env)->GetStringUTFChars(env, helper, NULL) : NULL;
	int r = EINVAL;

	if (p && h)
		r = kfr_probe_helper(p, h);
	else
		kfr_set_error("probe: no name given");
	if (p)
		(*env)->ReleaseStringUTFChars(env, prog, p);
	if (h)
		(*env)->ReleaseStringUTFChars(env, helper, h);
	return r;
}

/* "" when the walker can read this JVM's layout, else why not (one line). Reads only this
 * process's VMStructs tables: no privileges needed. */
jstring JNI_FN(hotspotLayout)(JNIEnv *env, jclass cls)
{
	(void)cls;
	struct kfr_hs_layout l;
	struct kfr_walk_cfg c;
	char why[256] = "";

	if (kfr_hs_layout_read(&l, why, sizeof(why)) == 0 && kfr_hs_walk_cfg(&l, &c, why, sizeof(why)) == 0)
		why[0] = 0;
	return (*env)->NewStringUTF(env, why);
}
