/* The CPU sampler's own JNI (io.kfr.collectors.natives.KfrNative.cpu*): its open and the event in
 * use. Poll, stacks, statistics, detach, close: the generic surface (common/collector_jni.c) over
 * kfr_cpu_ops. */
#include <jni.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <linux/types.h>

#include "common/handles.h"
#include "common/kfr_error.h"
#include "cpu/cpu_loader.h"
#include "hotspot/hotspot_jni.h"
#include "hotspot/hotspot_layout.h"

#define JNI_FN(name) JNIEXPORT JNICALL Java_io_kfr_collectors_natives_KfrNative_##name

/* -XX:+DebugNonSafepoints: 1 set by a CPU collector's open, 0 it could not be, -1 not tried. */
static volatile int debug_non_safepoints = -1;

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
	h = kfr_handle_add(o, &kfr_cpu_ops);
	if (!h) {
		kfr_cpu_close(o);
		kfr_set_error("cpuOpen: too many open collectors");
		return 0;
	}
	if (java) {
		kfr_hs_java_start(env, o, &kfr_cpu_ops);
		/* debug info at non-safepoints, so that a sampled pc in compiled code names its inlined
		 * methods (what JFR and async-profiler do); for code compiled from now on */
		debug_non_safepoints = kfr_hs_set_bool_flag("DebugNonSafepoints", true) == 0;
	}
	return (jlong)h;
}

jint JNI_FN(cpuDebugNonSafepoints)(JNIEnv *env, jclass cls)
{
	(void)env;
	(void)cls;
	return debug_non_safepoints;
}

jstring JNI_FN(cpuEvent)(JNIEnv *env, jclass cls, jlong handle)
{
	(void)cls;
	struct kfr_cpu *o = kfr_handle_acquire((uint64_t)handle, &kfr_cpu_ops, NULL, "cpuEvent");
	jstring s;

	if (!o)
		return NULL;
	s = (*env)->NewStringUTF(env, kfr_cpu_event(o));
	kfr_handle_release((uint64_t)handle);
	return s;
}
