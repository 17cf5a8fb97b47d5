/* JNI of io.kfr.collectors.pt.PtPerfNative: a PT session (the PMU, the attr, one traced event per
 * thread, the address filter) and its snapshots. */
#include "pt/pt_perf.h"

#include <errno.h>
#include <jni.h>
#include <pthread.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#define EXPORT __attribute__((visibility("default")))

struct pt_session {
	pthread_mutex_t lock;
	struct kfr_pt_pmu pmu;
	struct perf_event_attr attr;
	size_t aux_bytes;
	char *filter; /* NULL: trace everything */
	struct kfr_pt_thread *threads;
	int n, cap;
};

static void say(JNIEnv *env, jobjectArray why, const char *text)
{
	if (why && (*env)->GetArrayLength(env, why) > 0) {
		jstring s = (*env)->NewStringUTF(env, text);
		if (s)
			(*env)->SetObjectArrayElement(env, why, 0, s);
	}
}

static struct pt_session *session(jlong h)
{
	return (struct pt_session *)(intptr_t)h;
}

static int find(struct pt_session *s, int tid)
{
	for (int i = 0; i < s->n; i++)
		if (s->threads[i].tid == tid)
			return i;
	return -1;
}

EXPORT JNIEXPORT jstring JNICALL Java_io_kfr_collectors_pt_PtPerfNative_pmu(JNIEnv *env, jclass cls, jstring jdir)
{
	(void)cls;
	const char *dir = (*env)->GetStringUTFChars(env, jdir, NULL);
	if (!dir)
		return NULL;
	struct kfr_pt_pmu pmu;
	char why[KFR_PT_WHY], out[512];
	if (kfr_pt_pmu_read(dir, &pmu, why, sizeof(why))) {
		snprintf(out, sizeof(out), "!%s", why);
	} else {
		size_t len = 0;
		len += (size_t)snprintf(out + len, sizeof(out) - len, "type=%d ranges=%d", pmu.type, pmu.num_address_ranges);
		struct {
			const char *n;
			struct kfr_pt_field *f;
		} t[] = { { "pt", &pmu.pt },	       { "tsc", &pmu.tsc },	  { "mtc", &pmu.mtc },
			  { "cyc", &pmu.cyc },	       { "noretcomp", &pmu.noretcomp }, { "branch", &pmu.branch },
			  { "mtc_period", &pmu.mtc_period } };
		for (size_t i = 0; i < sizeof(t) / sizeof(t[0]) && len < sizeof(out); i++)
			if (t[i].f->word >= 0)
				len += (size_t)snprintf(out + len, sizeof(out) - len, " %s=%d:%d-%d", t[i].n, t[i].f->word,
							t[i].f->lo, t[i].f->hi);
	}
	(*env)->ReleaseStringUTFChars(env, jdir, dir);
	return (*env)->NewStringUTF(env, out);
}

EXPORT JNIEXPORT jlong JNICALL Java_io_kfr_collectors_pt_PtPerfNative_open(JNIEnv *env, jclass cls, jstring jdir,
									 jlong aux_bytes, jint flags, jobjectArray why)
{
	(void)cls;
	char text[KFR_PT_WHY];
	const char *dir = (*env)->GetStringUTFChars(env, jdir, NULL);
	if (!dir)
		return 0;
	struct pt_session *s = calloc(1, sizeof(*s));
	if (!s) {
		(*env)->ReleaseStringUTFChars(env, jdir, dir);
		say(env, why, "out of memory");
		return 0;
	}
	int bad = kfr_pt_pmu_read(dir, &s->pmu, text, sizeof(text)) ||
		  kfr_pt_attr(&s->pmu, (unsigned)flags, &s->attr, text, sizeof(text));
	(*env)->ReleaseStringUTFChars(env, jdir, dir);
	if (bad) {
		free(s);
		say(env, why, text);
		return 0;
	}
	pthread_mutex_init(&s->lock, NULL);
	s->aux_bytes = kfr_pt_aux_bytes((size_t)aux_bytes);
	return (jlong)(intptr_t)s;
}

EXPORT JNIEXPORT jlong JNICALL Java_io_kfr_collectors_pt_PtPerfNative_auxBytes(JNIEnv *env, jclass cls, jlong h)
{
	(void)env;
	(void)cls;
	return (jlong)session(h)->aux_bytes;
}

EXPORT JNIEXPORT jint JNICALL Java_io_kfr_collectors_pt_PtPerfNative_addThread(JNIEnv *env, jclass cls, jlong h,
									     jint tid, jobjectArray why)
{
	(void)cls;
	struct pt_session *s = session(h);
	char text[KFR_PT_WHY];
	int rc = 0;
	pthread_mutex_lock(&s->lock);
	if (find(s, tid) >= 0) {
		rc = 1;
		goto out;
	}
	if (s->n == s->cap) {
		int cap = s->cap ? 2 * s->cap : 64;
		struct kfr_pt_thread *t = realloc(s->threads, (size_t)cap * sizeof(*t));
		if (!t) {
			rc = -ENOMEM;
			snprintf(text, sizeof(text), "out of memory");
			goto out;
		}
		s->threads = t;
		s->cap = cap;
	}
	struct kfr_pt_thread *t = &s->threads[s->n];
	rc = kfr_pt_thread_open(&s->attr, tid, s->aux_bytes, t, text, sizeof(text));
	if (rc)
		goto out;
	if (s->filter && (rc = kfr_pt_set_filter(t->fd, s->filter, text, sizeof(text)))) {
		kfr_pt_thread_close(t);
		goto out;
	}
	if (ioctl(t->fd, PERF_EVENT_IOC_ENABLE, 0)) {
		rc = -errno;
		snprintf(text, sizeof(text), "cannot enable tracing of thread %d: %s", tid, strerror(errno));
		kfr_pt_thread_close(t);
		goto out;
	}
	s->n++;
out:
	pthread_mutex_unlock(&s->lock);
	if (rc < 0)
		say(env, why, text);
	return rc;
}

EXPORT JNIEXPORT jint JNICALL Java_io_kfr_collectors_pt_PtPerfNative_removeThread(JNIEnv *env, jclass cls, jlong h,
										jint tid)
{
	(void)env;
	(void)cls;
	struct pt_session *s = session(h);
	pthread_mutex_lock(&s->lock);
	int i = find(s, tid);
	if (i >= 0) {
		kfr_pt_thread_close(&s->threads[i]);
		s->threads[i] = s->threads[--s->n];
	}
	pthread_mutex_unlock(&s->lock);
	return i >= 0;
}

EXPORT JNIEXPORT jint JNICALL Java_io_kfr_collectors_pt_PtPerfNative_setFilter(JNIEnv *env, jclass cls, jlong h,
									     jstring jfilter, jobjectArray why)
{
	(void)cls;
	struct pt_session *s = session(h);
	const char *f = (*env)->GetStringUTFChars(env, jfilter, NULL);
	if (!f)
		return -ENOMEM;
	char text[KFR_PT_WHY];
	int rc = 0;
	pthread_mutex_lock(&s->lock);
	for (int i = 0; i < s->n && rc == 0; i++)
		rc = kfr_pt_set_filter(s->threads[i].fd, f, text, sizeof(text));
	if (rc == 0) {
		free(s->filter);
		s->filter = strdup(f);
	}
	pthread_mutex_unlock(&s->lock);
	(*env)->ReleaseStringUTFChars(env, jfilter, f);
	if (rc)
		say(env, why, text);
	return rc;
}

EXPORT JNIEXPORT jint JNICALL Java_io_kfr_collectors_pt_PtPerfNative_threads(JNIEnv *env, jclass cls, jlong h,
									   jintArray out)
{
	(void)cls;
	struct pt_session *s = session(h);
	pthread_mutex_lock(&s->lock);
	jsize len = (*env)->GetArrayLength(env, out);
	int n = s->n;
	for (int i = 0; i < n && i < len; i++) {
		jint tid = s->threads[i].tid;
		(*env)->SetIntArrayRegion(env, out, i, 1, &tid);
	}
	pthread_mutex_unlock(&s->lock);
	return n;
}

/* info: [0] aux_head, [1] wrapped, [2] time_zero, [3] time_mult, [4] time_shift (-1 when unknown) */
EXPORT JNIEXPORT jlong JNICALL Java_io_kfr_collectors_pt_PtPerfNative_snapshot(JNIEnv *env, jclass cls, jlong h,
									     jint tid, jobject dst, jlongArray info)
{
	(void)cls;
	struct pt_session *s = session(h);
	void *buf = (*env)->GetDirectBufferAddress(env, dst);
	jlong cap = (*env)->GetDirectBufferCapacity(env, dst);
	if (!buf || cap < 0)
		return -EINVAL;
	jlong out[5] = { 0, 0, -1, -1, -1 };
	long n;
	pthread_mutex_lock(&s->lock);
	int i = find(s, tid);
	if (i < 0) {
		n = -ESRCH;
	} else {
		uint64_t head, tc[3];
		int wrapped;
		n = kfr_pt_snapshot(&s->threads[i], buf, (size_t)cap, &head, &wrapped);
		out[0] = (jlong)head;
		out[1] = wrapped;
		if (kfr_pt_time_conversion(&s->threads[i], tc) == 0) {
			out[2] = (jlong)tc[0];
			out[3] = (jlong)tc[1];
			out[4] = (jlong)tc[2];
		}
	}
	pthread_mutex_unlock(&s->lock);
	(*env)->SetLongArrayRegion(env, info, 0, 5, out);
	return n;
}

EXPORT JNIEXPORT void JNICALL Java_io_kfr_collectors_pt_PtPerfNative_close(JNIEnv *env, jclass cls, jlong h)
{
	(void)env;
	(void)cls;
	struct pt_session *s = session(h);
	if (!s)
		return;
	for (int i = 0; i < s->n; i++)
		kfr_pt_thread_close(&s->threads[i]);
	free(s->threads);
	free(s->filter);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

EXPORT JNIEXPORT jlong JNICALL Java_io_kfr_collectors_pt_PtPerfNative_ringCopy(JNIEnv *env, jclass cls, jobject ring,
									     jlong head, jobject dst)
{
	(void)cls;
	void *r = (*env)->GetDirectBufferAddress(env, ring);
	void *d = (*env)->GetDirectBufferAddress(env, dst);
	jlong rlen = (*env)->GetDirectBufferCapacity(env, ring), dlen = (*env)->GetDirectBufferCapacity(env, dst);
	if (!r || !d || rlen <= 0 || dlen < 0)
		return -EINVAL;
	return (jlong)kfr_pt_ring_copy(r, (size_t)rlen, (uint64_t)head, d, (size_t)dlen);
}

/* {word, lo, hi} of a format term of the PMU at dir, or null when the PMU has no such term. */
EXPORT JNIEXPORT jintArray JNICALL Java_io_kfr_collectors_pt_PtPerfNative_formatField(JNIEnv *env, jclass cls,
										    jstring jdir, jstring jterm)
{
	(void)cls;
	const char *dir = (*env)->GetStringUTFChars(env, jdir, NULL);
	const char *term = dir ? (*env)->GetStringUTFChars(env, jterm, NULL) : NULL;
	struct kfr_pt_field f;
	int rc = term ? kfr_pt_field_read(dir, term, &f) : -ENOMEM;
	if (term)
		(*env)->ReleaseStringUTFChars(env, jterm, term);
	if (dir)
		(*env)->ReleaseStringUTFChars(env, jdir, dir);
	if (rc == -ENOENT)
		return NULL;
	jint v[3] = { rc ? -2 : f.word, rc ? 0 : f.lo, rc ? 0 : f.hi };
	jintArray out = (*env)->NewIntArray(env, 3);
	if (out)
		(*env)->SetIntArrayRegion(env, out, 0, 3, v);
	return out;
}
