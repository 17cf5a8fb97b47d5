#include "common/open_job.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "common/kfr_error.h"

struct kfr_open_job {
	void *(*open)(void *arg);
	void *arg;
	void *result;
	char error[512]; /* the open's error (thread-local there), copied before done is set */
	atomic_bool done;
};

static void *run(void *p)
{
	struct kfr_open_job *j = p;
	const char *e;

	j->result = j->open(j->arg);
	if (!j->result && (e = kfr_last_error()) != NULL) {
		strncpy(j->error, e, sizeof(j->error) - 1);
		j->error[sizeof(j->error) - 1] = '\0';
	}
	atomic_store_explicit(&j->done, true, memory_order_release);
	return NULL;
}

struct kfr_open_job *kfr_open_job_start(void *(*open)(void *arg), void *arg)
{
	struct kfr_open_job *j = calloc(1, sizeof(*j));
	pthread_attr_t attr;
	pthread_t t;
	int err;

	if (!j) {
		free(arg);
		kfr_set_error("out of memory starting a collector's open");
		return NULL;
	}
	j->open = open;
	j->arg = arg;
	atomic_init(&j->done, false);
	if ((err = pthread_attr_init(&attr)) == 0) {
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		err = pthread_create(&t, &attr, run, j);
		pthread_attr_destroy(&attr);
	}
	if (err) {
		free(arg);
		free(j);
		kfr_set_error("cannot start a thread for a collector's open: %s", strerror(err));
		return NULL;
	}
	return j;
}

bool kfr_open_job_done(const struct kfr_open_job *j)
{
	return atomic_load_explicit(&j->done, memory_order_acquire);
}

void *kfr_open_job_arg(struct kfr_open_job *j)
{
	return j->arg;
}

void *kfr_open_job_take(struct kfr_open_job *j)
{
	void *r = j->result;

	if (!r)
		kfr_set_error("%s", j->error[0] ? j->error : "a collector's open failed without saying why");
	free(j->arg);
	free(j);
	return r;
}
