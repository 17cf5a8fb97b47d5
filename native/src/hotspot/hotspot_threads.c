#define _GNU_SOURCE
#include <jvmti.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/types.h>

#include "hotspot/hotspot_threads.h"
#include "hotspot/kfr_walk_cfg.h"
#include "common/safe_read.h"

static jvmtiEnv *jvmti;
static jfieldID thread_eetop;  /* java.lang.Thread.eetop: the thread's JavaThread* */
static jmethodID thread_get_id;   /* Thread.getId(): every JDK from 11 to 25 */
static jmethodID thread_get_name; /* Thread.getName() */

/* Java identity of the threads seen starting (and alive at attach), by tid. A thread that lives
 * 100 ms can end before the JVM's next thread dump; this is what names it then. Kept after the
 * thread ends (its events are named later); a slot is overwritten by the next tid that hashes
 * there, and readers check the name against the kernel's comm, so a recycled tid is not misnamed. */
#define NAME_SLOTS 8192
#define NAME_BYTES 128
struct name_slot {
	int tid;
	long long java_id;
	char name[NAME_BYTES];
};
static struct name_slot names[NAME_SLOTS]; /* under names_lock */
static pthread_mutex_t names_lock = PTHREAD_MUTEX_INITIALIZER;

#define MAX_TARGETS 4

struct target {
	void *collector;
	kfr_hs_thread_update update;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct target targets[MAX_TARGETS]; /* under lock */
static int ntargets;
static const struct kfr_hs_layout *layout;

/* Under lock. */
static void update_all(int tid, const struct kfr_java_thread *jt)
{
	for (int i = 0; i < MAX_TARGETS; i++) {
		if (targets[i].collector)
			targets[i].update(targets[i].collector, tid, jt);
	}
}

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

/* Records thread's Java id and name for tid; any Java exception is cleared (never reaches the app). */
static void remember_name(JNIEnv *jni, jthread thread, int tid)
{
	if (!thread_get_id || !thread_get_name || tid <= 0)
		return;
	jlong id = (*jni)->CallLongMethod(jni, thread, thread_get_id);
	jstring name = (*jni)->ExceptionCheck(jni) ? NULL : (*jni)->CallObjectMethod(jni, thread, thread_get_name);
	if ((*jni)->ExceptionCheck(jni)) {
		(*jni)->ExceptionClear(jni);
		return;
	}
	if (!name)
		return;
	const char *utf = (*jni)->GetStringUTFChars(jni, name, NULL);
	if (utf) {
		struct name_slot *slot = &names[(unsigned)tid % NAME_SLOTS];
		pthread_mutex_lock(&names_lock);
		slot->tid = tid;
		slot->java_id = id;
		size_t n = strlen(utf);
		if (n >= sizeof(slot->name)) { /* cut at a character boundary: JNI wants whole UTF-8 */
			n = sizeof(slot->name) - 1;
			while (n > 0 && ((unsigned char)utf[n] & 0xC0) == 0x80)
				n--;
		}
		memcpy(slot->name, utf, n);
		slot->name[n] = 0;
		pthread_mutex_unlock(&names_lock);
		(*jni)->ReleaseStringUTFChars(jni, name, utf);
	}
	(*jni)->DeleteLocalRef(jni, name);
}

int kfr_hs_thread_identity(int tid, long long *java_id, char *name, size_t cap)
{
	int found = 0;
	const struct name_slot *slot = &names[(unsigned)tid % NAME_SLOTS];

	pthread_mutex_lock(&names_lock);
	if (tid > 0 && slot->tid == tid) {
		*java_id = slot->java_id;
		snprintf(name, cap, "%s", slot->name);
		found = 1;
	}
	pthread_mutex_unlock(&names_lock);
	return found;
}

static void JNICALL on_thread_start(jvmtiEnv *env, JNIEnv *jni, jthread thread)
{
	struct kfr_java_thread e;
	int tid = (int)syscall(SYS_gettid);

	(void)env;
	if (!thread_eetop)
		return;
	remember_name(jni, thread, tid);
	uintptr_t jt = (uintptr_t)(*jni)->GetLongField(jni, thread, thread_eetop);
	pthread_mutex_lock(&lock);
	if (ntargets && java_thread_entry(layout, jt, tid, true, &e) == tid)
		update_all(tid, &e);
	pthread_mutex_unlock(&lock);
}

static void JNICALL on_thread_end(jvmtiEnv *env, JNIEnv *jni, jthread thread)
{
	int tid = (int)syscall(SYS_gettid);

	(void)env;
	(void)jni;
	(void)thread;
	pthread_mutex_lock(&lock);
	if (ntargets)
		update_all(tid, NULL);
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
		if (c) {
			thread_get_id = (*jni)->GetMethodID(jni, c, "getId", "()J");
			thread_get_name = (*jni)->ExceptionCheck(jni) ? NULL
					: (*jni)->GetMethodID(jni, c, "getName", "()Ljava/lang/String;");
			if ((*jni)->ExceptionCheck(jni)) {
				(*jni)->ExceptionClear(jni);
				thread_get_id = thread_get_name = NULL;
			}
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

/* The Java threads alive now (started before the events were on), into one collector's map. */
static void add_live_threads(JNIEnv *env, const struct kfr_hs_layout *l, void *collector, kfr_hs_thread_update update)
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
		if (tid > 0 && access(path, F_OK) == 0) {
			update(collector, tid, &e);
			remember_name(env, threads[i], tid);
		}
		(*env)->DeleteLocalRef(env, threads[i]);
	}
	(*jvmti)->Deallocate(jvmti, (unsigned char *)threads);
}

int kfr_hs_threads_attach(JNIEnv *env, const struct kfr_hs_layout *l, void *collector, kfr_hs_thread_update update,
			  char *why, size_t whycap)
{
	int slot = -1;
	bool first;

	if (!jvmti || !thread_eetop) {
		snprintf(why, whycap, "JVMTI is not available to find the Java threads");
		return -1;
	}
	pthread_mutex_lock(&lock);
	for (int i = 0; i < MAX_TARGETS && slot < 0; i++) {
		if (!targets[i].collector)
			slot = i;
	}
	if (slot < 0) {
		pthread_mutex_unlock(&lock);
		snprintf(why, whycap, "too many collectors with Java frames");
		return -1;
	}
	targets[slot].collector = collector;
	targets[slot].update = update;
	first = ntargets++ == 0;
	layout = l;
	pthread_mutex_unlock(&lock);
	if (first) /* first, so that no thread starts unseen while the live ones are added */
		set_events(JVMTI_ENABLE);
	add_live_threads(env, l, collector, update);
	return 0;
}

void kfr_hs_threads_detach(void *collector)
{
	bool last = false;

	pthread_mutex_lock(&lock);
	for (int i = 0; collector && i < MAX_TARGETS; i++) {
		if (targets[i].collector == collector) {
			targets[i].collector = NULL;
			last = --ntargets == 0;
		}
	}
	pthread_mutex_unlock(&lock);
	if (last)
		set_events(JVMTI_DISABLE);
}
