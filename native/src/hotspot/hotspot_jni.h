/* Java frames for a collector's JNI open: the walker configuration, then the Java threads. */
#ifndef KFR_HOTSPOT_JNI_H
#define KFR_HOTSPOT_JNI_H

#include <jni.h>
#include <linux/types.h>

#include "hotspot/kfr_walk_cfg.h"

struct kfr_collector_ops;

/* Fills the walker configuration for this JVM: 0, or -1 (Java frames off; the reason is in
 * KfrNative.javaFramesStatus()). */
int kfr_hs_java_cfg(struct kfr_walk_cfg *cfg);
/* After a successful open with a configuration: starts tracking the Java threads in the
 * collector's thread map (ops->java_thread). */
void kfr_hs_java_start(JNIEnv *env, void *collector, const struct kfr_collector_ops *ops);
/* Before closing that collector. */
void kfr_hs_java_stop(void *collector);

#endif
