/* The live class that owns a Method* now (KfrNative.javaClassesOwning): the symbolizer holds it
 * weakly, so that names of that class's methods stay trusted while it lives, whatever other
 * classes unload (JavaFrameSymbolizer's anchors). Found through JVMTI only: GetLoadedClasses,
 * GetClassSignature, GetClassMethods. None of them initializes a class or runs Java code; a
 * jmethodID of a live class points to a slot holding its current Method*. */
#include <jni.h>
#include <jvmti.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>

#include "common/safe_read.h"

#define JNI_FN(name) JNIEXPORT JNICALL Java_io_kfr_collectors_natives_KfrNative_##name

/* A JVMTI environment of its own (GetEnv makes one per call); NULL if JVMTI is unavailable. */
static jvmtiEnv *holder_jvmti(JNIEnv *env)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	static jvmtiEnv *jvmti;
	static bool tried;
	JavaVM *vm = NULL;
	jvmtiEnv *r;

	pthread_mutex_lock(&lock);
	if (!tried) {
		tried = true;
		if ((*env)->GetJavaVM(env, &vm) || (*vm)->GetEnv(vm, (void **)&jvmti, JVMTI_VERSION_1_2) != JNI_OK)
			jvmti = NULL;
	}
	r = jvmti;
	pthread_mutex_unlock(&lock);
	return r;
}

/* Whether a class signature ("Lpkg/Name;", JDK 11's VM-anonymous classes "Lpkg/Name/123;")
 * is the class a symbolizer names name ("pkg.Name" or "pkg/Name"). */
static bool signature_is(const char *sig, const char *name)
{
	size_t n = strlen(name);

	if (sig[0] != 'L')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = sig[1 + i];

		if (!c || (c == '/' ? '.' : c) != (name[i] == '/' ? '.' : name[i]))
			return false;
	}
	if (sig[1 + n] == ';')
		return true;
	if (sig[1 + n] != '/' || sig[2 + n] == ';') /* JDK 11's VM-anonymous suffix: "/<decimal>" */
		return false;
	for (const char *p = sig + 2 + n; *p != ';'; p++) {
		if (!*p || !strchr("0123456789abcdefx", *p))
			return false;
	}
	return true;
}

/* Whether one of k's methods is the Method* m now. */
static bool owns(jvmtiEnv *jvmti, jclass k, uint64_t m)
{
	jint n = 0;
	jmethodID *ids = NULL;
	bool found = false;

	if ((*jvmti)->GetClassMethods(jvmti, k, &n, &ids) != JVMTI_ERROR_NONE)
		return false;
	for (jint i = 0; i < n && !found; i++) {
		uint64_t v = 0;

		found = ids[i] && !kfr_safe_u64((uintptr_t)ids[i], &v) && v == m;
	}
	(*jvmti)->Deallocate(jvmti, (unsigned char *)ids);
	return found;
}

/* For each (names[i], methods[i]): the loaded class of that name that owns that Method* now, or
 * null. One pass over the loaded classes. Null (no array) if JVMTI is unavailable. */
jobjectArray JNI_FN(javaClassesOwning)(JNIEnv *env, jclass self, jobjectArray names, jlongArray methods)
{
	jvmtiEnv *jvmti = holder_jvmti(env);
	jint n = (*env)->GetArrayLength(env, methods), count = 0;
	jclass *classes = NULL;
	jclass class_class = (*env)->FindClass(env, "java/lang/Class");
	jobjectArray out;
	jlong want[256];
	const char *want_name[256];
	jstring want_str[256];
	bool found[256] = { false };

	(void)self;
	if (!jvmti || !class_class || n != (*env)->GetArrayLength(env, names) || n > 256)
		return NULL;
	if (!(out = (*env)->NewObjectArray(env, n, class_class, NULL)))
		return NULL;
	(*env)->GetLongArrayRegion(env, methods, 0, n, want);
	for (jint i = 0; i < n; i++) {
		want_str[i] = (*env)->GetObjectArrayElement(env, names, i);
		want_name[i] = want_str[i] ? (*env)->GetStringUTFChars(env, want_str[i], NULL) : NULL;
	}
	if ((*jvmti)->GetLoadedClasses(jvmti, &count, &classes) == JVMTI_ERROR_NONE) {
		for (jint c = 0; c < count; c++) {
			char *sig = NULL;

			if ((*jvmti)->GetClassSignature(jvmti, classes[c], &sig, NULL) == JVMTI_ERROR_NONE && sig) {
				for (jint i = 0; i < n; i++) {
					if (!found[i] && want_name[i] && signature_is(sig, want_name[i]) &&
					    owns(jvmti, classes[c], (uint64_t)want[i])) {
						found[i] = true;
						(*env)->SetObjectArrayElement(env, out, i, classes[c]);
					}
				}
				(*jvmti)->Deallocate(jvmti, (unsigned char *)sig);
			}
			(*env)->DeleteLocalRef(env, classes[c]);
		}
		(*jvmti)->Deallocate(jvmti, (unsigned char *)classes);
	}
	for (jint i = 0; i < n; i++) {
		if (want_name[i])
			(*env)->ReleaseStringUTFChars(env, want_str[i], want_name[i]);
		if (want_str[i])
			(*env)->DeleteLocalRef(env, want_str[i]);
	}
	return out;
}
