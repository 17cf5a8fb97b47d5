#include "common/open_job_jni.h"

#include <stdint.h>

#include "common/handles.h"
#include "common/kfr_error.h"
#include "hotspot/hotspot_jni.h"

jlong kfr_open_job_handle(JNIEnv *env, struct kfr_open_job *j, const struct kfr_collector_ops *ops, const char *what)
{
	void *c = kfr_open_job_take(j);
	uint64_t h;

	if (!c)
		return 0;
	h = kfr_handle_add(c, ops);
	if (!h) {
		ops->close(c);
		kfr_set_error("%s: too many open collectors", what);
		return 0;
	}
	kfr_hs_java_start(env, c, ops); /* nothing for a collector without Java frames */
	return (jlong)h;
}
