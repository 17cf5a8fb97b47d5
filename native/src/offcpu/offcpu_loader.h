/* Off-CPU collector, libbpf side: load/attach offcpu.bpf.c, read its ring buffer, aggregation
 * maps, stack map and counters. No JNI here (the smoke test links this directly).
 * Errors: NULL / negative errno, with a one-line message in kfr_last_error(). */
#ifndef KFR_OFFCPU_LOADER_H
#define KFR_OFFCPU_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kfr_offcpu;
struct kfr_walk_cfg;
struct kfr_java_thread;
struct kfr_collector_ops;

/* Loads and attaches the collector for all threads of tgid. tp_btf is tried first, raw_tp is the
 * fallback; the environment variable KFR_OFFCPU_ATTACH=raw_tp|tp_btf forces one. java: the
 * HotSpot walker's configuration (kfr_walk_cfg.h) for Java frames, or NULL for none; Java frames
 * need the Java threads registered with kfr_offcpu_java_thread. preempted_one_in: stacks of
 * preempted switch-outs are taken for a random 1 in this many (a power of two; 1: every one). */
struct kfr_offcpu *kfr_offcpu_open(int tgid, uint64_t threshold_ns, uint32_t ringbuf_bytes,
				   uint32_t preempted_one_in, const struct kfr_walk_cfg *java);
/* "tp_btf" or "raw_tp" */
const char *kfr_offcpu_attach_mode(const struct kfr_offcpu *o);
/* Why tp_btf was not used ("" when it is, or when raw_tp was forced). */
const char *kfr_offcpu_fallback_reason(const struct kfr_offcpu *o);
/* Clock measuring the intervals: "sched_clock" (runqueue clock, tp_btf with a TSC clocksource;
 * KFR_OFFCPU_CLOCK=monotonic forces the other) or "monotonic". Event start_ns is always
 * CLOCK_MONOTONIC. */
const char *kfr_offcpu_clock(const struct kfr_offcpu *o);
/* Copies whole 48-byte records into buf; waits up to timeout_ms only when none is ready, then
 * reads what arrived (records are submitted without waking the reader until 1/8 of the ring is
 * unread, so a waiting poll usually ends at its timeout). Returns records copied or -errno.
 * Serialised per collector. */
int kfr_offcpu_poll(struct kfr_offcpu *o, void *buf, size_t cap, int timeout_ms);
/* The kernel and user stack ids (two ints each) of the intervals pending now among the threads
 * tids[0..n): threads off the CPU. At a stack epoch change the stacks of those that began before it
 * are read before their map is cleared. Returns how many ints were written to out (at most cap), or
 * a negative errno. */
int kfr_offcpu_pending_stacks(struct kfr_offcpu *o, const int *tids, int n, int *out, int cap);
/* Adds (jt != NULL) or removes a Java thread of the target process. 0 or -errno; a no-op when
 * Java frames are off. Thread-safe. */
int kfr_offcpu_java_thread(struct kfr_offcpu *o, int tid, const struct kfr_java_thread *jt);
bool kfr_offcpu_java_enabled(const struct kfr_offcpu *o);
/* Makes a poll waiting in another thread return now (used before close). Thread-safe. */
void kfr_offcpu_wake(struct kfr_offcpu *o);
/* Stops recording switch-outs of thread tid (of the target process) from now on; up to
 * KFR_MAX_EXCLUDED threads. Meant for kfr's own threads. An interval of the thread that is
 * already pending (it switched out after attach and has not run since) is still recorded when it
 * ends: exclude a thread that has been blocked since before the attach (or that has not been
 * switched out since), and it never appears. 0 or -errno (-ENOSPC: table full). */
int kfr_offcpu_exclude_thread(struct kfr_offcpu *o, int tid);
/* Detaches the sched_switch program and waits until no run of it is in progress; maps, ring
 * buffer and counters stay readable, and the counters are final from then on. The exit program
 * (thread names) stays attached until close. Idempotent; 0 or -errno. */
int kfr_offcpu_detach(struct kfr_offcpu *o);
/* Name (comm) an exited thread of the target process had, if the exit program kept it:
 * 0 and name filled (NUL-terminated), or -ENOENT. */
int kfr_offcpu_thread_name(struct kfr_offcpu *o, int tid, char name[16]);
/* If swap: flips the aggregation maps and waits for programs still writing the old one.
 * Then moves entries of the old map (key 24 + value 16 bytes each) into buf until it is full.
 * Returns entries copied or -errno. After detach, no program writes either map: two
 * swap-and-drain rounds empty both. */
int kfr_offcpu_drain(struct kfr_offcpu *o, void *buf, size_t cap, bool swap);
/* Copies the non-zero ips of a stack map entry; returns the frame count (0 if absent) or -errno
 * (-ESTALE: the id's stack epoch is older than the previous one, its map was cleared). */
int kfr_offcpu_stack(struct kfr_offcpu *o, int32_t stack_id, uint64_t *ips, int max);
/* Starts a new stack epoch: clears the map of the epoch before last (its ids expire), then points
 * the programs at it. Ids of the current epoch stay readable until the next call. Returns the
 * stacks cleared, or -errno. */
int kfr_offcpu_next_stack_epoch(struct kfr_offcpu *o);
/* Fills out[0 .. min(len, KFR_STAT__LEN)-1]; returns 0 or -errno. */
int kfr_offcpu_stats(struct kfr_offcpu *o, int64_t *out, int len);
/* Detaches and frees everything. Callers make sure no other call on o is in progress. */
void kfr_offcpu_close(struct kfr_offcpu *o);

/* The functions above as a collector's table, for the generic JNI surface. */
extern const struct kfr_collector_ops kfr_offcpu_ops;

#endif
