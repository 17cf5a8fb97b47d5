/* Helpers shared by the JNI glue files. */
#ifndef KFR_JNI_UTIL_H
#define KFR_JNI_UTIL_H

#include <jni.h>
#include <stddef.h>

/* Direct buffer address and capacity, or NULL with an error (kfr_last_error). */
void *kfr_jni_direct(JNIEnv *env, jobject buf, size_t *cap, const char *what);

#endif
