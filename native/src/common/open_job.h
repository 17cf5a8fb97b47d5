/* A collector's open (loading and verifying its BPF programs: 0.3-2 s) run on a thread of its own
 * that the JVM does not know about. At exit HotSpot waits up to 300 ms for every Java thread still
 * in native code (VM_Exit::wait_for_threads_in_native_to_block, run by the VM thread once the
 * shutdown hooks are done), so a JVM that ended while a Java thread was inside the load waited that
 * long for nothing: a 0.2 s program took 0.35 s more to exit. The Java thread that wants the open
 * waits in Java instead (sleeping between kfr_open_job_done checks), and a JVM that ends first
 * does not wait; the load dies with the process. */
#ifndef KFR_COMMON_OPEN_JOB_H
#define KFR_COMMON_OPEN_JOB_H

#include <stdbool.h>

struct kfr_open_job;

/* Runs open(arg) on a new detached thread; arg (malloc'ed) belongs to the job from now on, also
 * when this fails. NULL (error set) if the thread cannot be started. */
struct kfr_open_job *kfr_open_job_start(void *(*open)(void *arg), void *arg);

/* Whether open has returned. */
bool kfr_open_job_done(const struct kfr_open_job *j);

/* The job's argument (still valid until kfr_open_job_take). */
void *kfr_open_job_arg(struct kfr_open_job *j);

/* Once done: open's result; when it is NULL, open's error becomes the calling thread's. Frees the
 * job and its argument. */
void *kfr_open_job_take(struct kfr_open_job *j);

#endif
