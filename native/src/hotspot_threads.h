/* Keeps the BPF walker's thread map (Linux tid -> JavaFrameAnchor address, stack range) current
 * while an off-CPU collector with Java frames is open: the live Java threads when it starts,
 * then JVMTI ThreadStart / ThreadEnd, which run on the starting / ending thread itself. One
 * collector at a time. */
#ifndef KFR_HOTSPOT_THREADS_H
#define KFR_HOTSPOT_THREADS_H

#include <jni.h>
#include <stddef.h>

#include "hotspot_layout.h"

struct kfr_offcpu;

/* From JNI_OnLoad: gets a JVMTI environment (no capabilities needed). 0 or -1. */
int kfr_hs_threads_init(JavaVM *vm);

/* Registers o's thread map and fills it. 0, or -1 with a one-line reason (JVMTI unavailable,
 * another collector registered). env: the calling Java thread's. */
int kfr_hs_threads_attach(JNIEnv *env, const struct kfr_hs_layout *l, struct kfr_offcpu *o, char *why, size_t whycap);

/* Stops updating o's map (call before closing o). Idempotent. */
void kfr_hs_threads_detach(struct kfr_offcpu *o);

#endif
