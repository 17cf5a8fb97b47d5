/* Keeps the BPF walker's thread map (Linux tid -> JavaFrameAnchor address, stack range) current
 * while an off-CPU collector with Java frames is open: the live Java threads when it starts,
 * then JVMTI ThreadStart / ThreadEnd, which run on the starting / ending thread itself. Each
 * collector with Java frames (off-CPU, CPU) registers its map (the same one when they share it:
 * java_maps.h). */
#ifndef KFR_HOTSPOT_THREADS_H
#define KFR_HOTSPOT_THREADS_H

#include <jni.h>
#include <stddef.h>

#include "hotspot/hotspot_layout.h"

struct kfr_java_thread;

/* Updates a collector's thread map: adds (jt != NULL) or removes tid. */
typedef int (*kfr_hs_thread_update)(void *collector, int tid, const struct kfr_java_thread *jt);

/* From JNI_OnLoad: gets a JVMTI environment (no capabilities needed). 0 or -1. */
int kfr_hs_threads_init(JavaVM *vm);

/* Registers a collector's thread map and fills it. 0, or -1 with a one-line reason (JVMTI
 * unavailable, too many collectors). env: the calling Java thread's. */
int kfr_hs_threads_attach(JNIEnv *env, const struct kfr_hs_layout *l, void *collector, kfr_hs_thread_update update,
			  char *why, size_t whycap);

/* Stops updating the collector's map (call before closing it). Idempotent. */
void kfr_hs_threads_detach(void *collector);

/* The Java id and name (UTF-8, cut to cap) of a thread seen starting while a collector with Java
 * frames was attached, or alive when one attached; possibly ended since. 1 if known, else 0. */
int kfr_hs_thread_identity(int tid, long long *java_id, char *name, size_t cap);

#endif
