/* Java frames for the off-CPU collector's JNI glue (libkfr_jni.c). */
#ifndef KFR_HOTSPOT_JNI_H
#define KFR_HOTSPOT_JNI_H

#include <jni.h>
#include <linux/types.h>

#include "hotspot/kfr_walk_cfg.h"
#include "cpu/cpu_loader.h"
#include "offcpu/offcpu_loader.h"

/* Fills the walker configuration for this JVM: 0, or -1 (Java frames off; the reason is in
 * KfrNative.javaFramesStatus()). */
int kfr_hs_java_cfg(struct kfr_walk_cfg *cfg);
/* After a successful open with a configuration: starts tracking the Java threads. */
void kfr_hs_java_start(JNIEnv *env, struct kfr_offcpu *o);
void kfr_hs_java_start_cpu(JNIEnv *env, struct kfr_cpu *o);
/* Before closing that collector. */
void kfr_hs_java_stop(void *collector);

#endif
