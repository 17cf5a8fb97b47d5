/* KfrNative.recordLayoutEntries: every collector's record layout as "name=value" lines. */
#include <jni.h>
#include <stdio.h>

#include "common/record_layout.h"

#define JNI_FN(name) JNIEXPORT JNICALL Java_io_kfr_collectors_natives_KfrNative_##name

static const struct kfr_layout_entry *const tables[] = { kfr_java_stack_layout, kfr_offcpu_layout, kfr_cpu_layout,
								 kfr_workingset_layout };

jobjectArray JNI_FN(recordLayoutEntries)(JNIEnv *env, jclass cls)
{
	(void)cls;
	jsize n = 0, at = 0;

	for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
		for (const struct kfr_layout_entry *e = tables[t]; e->name; e++)
			n++;
	jclass string = (*env)->FindClass(env, "java/lang/String");
	jobjectArray out = string ? (*env)->NewObjectArray(env, n, string, NULL) : NULL;
	if (!out)
		return NULL;
	for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++) {
		for (const struct kfr_layout_entry *e = tables[t]; e->name; e++) {
			char line[160];

			snprintf(line, sizeof(line), "%s=%ld", e->name, e->value);
			jstring s = (*env)->NewStringUTF(env, line);
			if (!s)
				return NULL;
			(*env)->SetObjectArrayElement(env, out, at++, s);
			(*env)->DeleteLocalRef(env, s);
		}
	}
	return out;
}
