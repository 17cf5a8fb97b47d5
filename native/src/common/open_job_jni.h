/* The JNI half of a collector's open job (open_job.h): the handle of the collector a done job
 * opened. */
#ifndef KFR_COMMON_OPEN_JOB_JNI_H
#define KFR_COMMON_OPEN_JOB_JNI_H

#include <jni.h>

#include "common/collector.h"
#include "common/open_job.h"

/* Takes the done job j: a handle for its collector (whose Java threads are tracked from now on if
 * it walks Java stacks), or 0 with the error set (the open's own, or "<what>: too many open
 * collectors"). */
jlong kfr_open_job_handle(JNIEnv *env, struct kfr_open_job *j, const struct kfr_collector_ops *ops, const char *what);

#endif
