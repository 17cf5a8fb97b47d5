/* The CPU sampler's own JNI (io.kfr.collectors.natives.KfrNative.cpu*): its open and the event in
 * use. Poll, stacks, statistics, detach, close: the generic surface (common/collector_jni.c) over
 * kfr_cpu_ops. */
#include <jni.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/types.h>

#include "common/handles.h"
#include "common/kfr_error.h"
#include "common/open_job_jni.h"
#include "cpu/cpu_loader.h"
#include "hotspot/hotspot_jni.h"
#include "hotspot/hotspot_layout.h"

#define JNI_FN(name) JNIEXPORT JNICALL Java_io_kfr_collectors_natives_KfrNative_##name

/* -XX:+DebugNonSafepoints: 1 set by a CPU collector's open, 0 it could not be, -1 not tried. */
static volatile int debug_non_safepoints = -1;

struct open_args {
	int tgid;
	char event[32];
	struct kfr_cpu_cfg cfg; /* .event points into event */
	uint32_t ringbuf_bytes;
	bool java;
	struct kfr_walk_cfg walk;
};

static void *open_collector(void *arg)
{
	struct open_args *a = arg;

	return kfr_cpu_open(a->tgid, &a->cfg, a->ringbuf_bytes, a->java ? &a->walk : NULL);
}

/* The open runs on a thread of its own (common/open_job.h): a job, or 0 (error set). */
jlong JNI_FN(cpuOpenBegin)(JNIEnv *env, jclass cls, jint tgid, jlong interval_ns, jlong event_count, jstring event,
			   jint ringbuf_bytes, jboolean java_frames)
{
	(void)cls;
	struct open_args *a;

	if (interval_ns < 0 || event_count < 0 || ringbuf_bytes <= 0) {
		kfr_set_error("cpuOpen: invalid interval or ring buffer size");
		return 0;
	}
	if (!(a = calloc(1, sizeof(*a)))) {
		kfr_set_error("cpuOpen: out of memory");
		return 0;
	}
	strcpy(a->event, "auto");
	if (event) {
		const char *e = (*env)->GetStringUTFChars(env, event, NULL);
		if (e) {
			strncpy(a->event, e, sizeof(a->event) - 1);
			(*env)->ReleaseStringUTFChars(env, event, e);
		}
	}
	a->tgid = tgid;
	a->cfg = (struct kfr_cpu_cfg){ .interval_ns = (uint64_t)interval_ns, .event_count = (uint64_t)event_count,
				       .event = a->event };
	a->ringbuf_bytes = (uint32_t)ringbuf_bytes;
	a->java = java_frames && tgid == getpid() && kfr_hs_java_cfg(&a->walk) == 0;
	return (jlong)(uintptr_t)kfr_open_job_start(open_collector, a);
}

/* The collector of a done job (cpuOpenBegin): a handle, or 0 (error set). */
jlong JNI_FN(cpuOpenEnd)(JNIEnv *env, jclass cls, jlong job)
{
	(void)cls;
	struct kfr_open_job *j = (struct kfr_open_job *)(uintptr_t)job;
	bool java = ((struct open_args *)kfr_open_job_arg(j))->java;
	jlong h = kfr_open_job_handle(env, j, &kfr_cpu_ops, "cpuOpen");

	/* debug info at non-safepoints, so that a sampled pc in compiled code names its inlined
	 * methods (what JFR and async-profiler do); for code compiled from now on */
	if (h && java)
		debug_non_safepoints = kfr_hs_set_bool_flag("DebugNonSafepoints", true) == 0;
	return h;
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
