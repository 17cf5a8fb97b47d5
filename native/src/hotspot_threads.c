#define _GNU_SOURCE
#include <jvmti.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/types.h>

#include "hotspot_threads.h"
#include "kfr_walk_cfg.h"
#include "offcpu_loader.h"
#include "safe_read.h"

static jvmtiEnv *jvmti;
static jfieldID thread_eetop;  /* java.lang.Thread.eetop: the thread's JavaThread* */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct kfr_offcpu *target; /* under lock */
static const struct kfr_hs_layout *layout;

/* Reads a field of a JavaThread: another thread's through kfr_safe_read (it may be exiting); the
 * calling thread's own directly (it is alive: we run on it), which also keeps thread start-up
 * free of syscalls that take the process's mmap lock. */
static int jt_read(uintptr_t addr, void *out, size_t n, bool own)
{
	if (!own)
		return kfr_safe_read(out, addr, n);
	memcpy(out, (const void *)addr, n);
	return 0;
}

/* Map entry of a JavaThread, checked against the tid it should belong to (-1 if it does not).
 * own: jt is the calling thread's. */
static int java_thread_entry(const struct kfr_hs_layout *l, uintptr_t jt, int expect_tid, bool own,
			     struct kfr_java_thread *e)
{
	uint64_t os = 0, base = 0, size = 0;
	uint32_t tid = 0;

	if (!jt || jt_read(jt + l->jt_osthread, &os, 8, own) || !os || jt_read(os + l->os_thread_id, &tid, 4, own) ||
	    (expect_tid > 0 && (int)tid != expect_tid) || jt_read(jt + l->jt_stack_base, &base, 8, own) ||
	    jt_read(jt + l->jt_stack_size, &size, 8, own) || !base || size > base)
		return -1;
	e->anchor = jt + l->jt_anchor;
	e->stack_hi = base;
	e->stack_lo = base - size;
	return (int)tid;
}

static void JNICALL on_thread_start(jvmtiEnv *env, JNIEnv *jni, jthread thread)
{
	struct kfr_java_thread e;
	int tid = (int)syscall(SYS_gettid);

	(void)env;
	if (!thread_eetop)
		return;
	uintptr_t jt = (uintptr_t)(*jni)->GetLongField(jni, thread, thread_eetop);
	pthread_mutex_lock(&lock);
	if (target && java_thread_entry(layout, jt, tid, true, &e) == tid)
		kfr_offcpu_java_thread(target, tid, &e);
	pthread_mutex_unlock(&lock);
}

static void JNICALL on_thread_end(jvmtiEnv *env, JNIEnv *jni, jthread thread)
{
	int tid = (int)syscall(SYS_gettid);

	(void)env;
	(void)jni;
	(void)thread;
	pthread_mutex_lock(&lock);
	if (target)
		kfr_offcpu_java_thread(target, tid, NULL);
	pthread_mutex_unlock(&lock);
}

int kfr_hs_threads_init(JavaVM *vm)
{
	JNIEnv *jni = NULL;
	jvmtiEventCallbacks cb;

	if ((*vm)->GetEnv(vm, (void **)&jvmti, JVMTI_VERSION_1_2) != JNI_OK) {
		jvmti = NULL;
		return -1;
	}
	if ((*vm)->GetEnv(vm, (void **)&jni, JNI_VERSION_1_8) == JNI_OK) {
		jclass c = (*jni)->FindClass(jni, "java/lang/Thread");
		if (c)
			thread_eetop = (*jni)->GetFieldID(jni, c, "eetop", "J");
		if ((*jni)->ExceptionCheck(jni)) {
			(*jni)->ExceptionClear(jni);
			thread_eetop = NULL;
		}
	}
	memset(&cb, 0, sizeof(cb));
	cb.ThreadStart = on_thread_start;
	cb.ThreadEnd = on_thread_end;
	if ((*jvmti)->SetEventCallbacks(jvmti, &cb, sizeof(cb)) != JVMTI_ERROR_NONE)
		jvmti = NULL;
	return jvmti ? 0 : -1;
}

static void set_events(jvmtiEventMode mode)
{
	(*jvmti)->SetEventNotificationMode(jvmti, mode, JVMTI_EVENT_THREAD_START, NULL);
	(*jvmti)->SetEventNotificationMode(jvmti, mode, JVMTI_EVENT_THREAD_END, NULL);
}

/* The Java threads alive now (started before the events were on). */
static void add_live_threads(JNIEnv *env, const struct kfr_hs_layout *l, struct kfr_offcpu *o)
{
	jint n = 0;
	jthread *threads = NULL;

	if ((*jvmti)->GetAllThreads(jvmti, &n, &threads) != JVMTI_ERROR_NONE)
		return;
	for (jint i = 0; i < n; i++) {
		struct kfr_java_thread e;
		uintptr_t jt = (uintptr_t)(*env)->GetLongField(env, threads[i], thread_eetop);
		int tid = java_thread_entry(l, jt, 0, false, &e);

		/* a thread of this process (not a stale pointer read as one) */
		char path[64];
		snprintf(path, sizeof(path), "/proc/self/task/%d", tid);
		if (tid > 0 && access(path, F_OK) == 0)
			kfr_offcpu_java_thread(o, tid, &e);
		(*env)->DeleteLocalRef(env, threads[i]);
	}
	(*jvmti)->Deallocate(jvmti, (unsigned char *)threads);
}

int kfr_hs_threads_attach(JNIEnv *env, const struct kfr_hs_layout *l, struct kfr_offcpu *o, char *why, size_t whycap)
{
	if (!jvmti || !thread_eetop) {
		snprintf(why, whycap, "JVMTI is not available to find the Java threads");
		return -1;
	}
	pthread_mutex_lock(&lock);
	if (target) {
		pthread_mutex_unlock(&lock);
		snprintf(why, whycap, "another collector has Java frames");
		return -1;
	}
	target = o;
	layout = l;
	pthread_mutex_unlock(&lock);
	set_events(JVMTI_ENABLE); /* first, so that no thread starts unseen while the live ones are added */
	add_live_threads(env, l, o);
	return 0;
}

void kfr_hs_threads_detach(struct kfr_offcpu *o)
{
	bool was = false;

	pthread_mutex_lock(&lock);
	if (target == o && o) {
		target = NULL;
		was = true;
	}
	pthread_mutex_unlock(&lock);
	if (was)
		set_events(JVMTI_DISABLE);
}
