/* One traced thread: perf_event_open on it, the data and AUX mappings, address filters, and the
 * snapshot copy of its AUX ring. */
#include "pt/pt_perf.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

static size_t page_size(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

size_t kfr_pt_aux_bytes(size_t requested)
{
	size_t p = page_size(), n = 2 * p;
	while (n < requested && n < ((size_t)1 << 40))
		n <<= 1;
	return n;
}

static const char *open_fix(int err)
{
	switch (err) {
	case EACCES:
	case EPERM:
		return "needs CAP_PERFMON (or root), or kernel.perf_event_paranoid <= 2 for a thread of its own process";
	case ENOENT:
	case EOPNOTSUPP:
		return "the PMU does not take this config on this CPU (check dmesg for 'intel_pt')";
	case EBUSY:
		return "another user holds Intel PT on this CPU (perf record -e intel_pt, a debugger); stop it";
	case EINVAL:
		return "the kernel refused the attr: an old kernel, or a format term this CPU lacks";
	case ESRCH:
		return "the thread has exited";
	case EMFILE:
		return "out of file descriptors: raise ulimit -n";
	default:
		return "see perf_event_open(2)";
	}
}

int kfr_pt_thread_open(const struct perf_event_attr *attr, int tid, size_t aux_bytes, struct kfr_pt_thread *t,
		       char *why, size_t whylen)
{
	memset(t, 0, sizeof(*t));
	t->tid = tid;
	t->fd = (int)syscall(SYS_perf_event_open, attr, tid, -1, -1, PERF_FLAG_FD_CLOEXEC);
	if (t->fd < 0) {
		int err = errno;
		snprintf(why, whylen, "perf_event_open(type %u, thread %d) failed: %s; %s", attr->type, tid,
			 strerror(err), open_fix(err));
		return -err;
	}
	int err = kfr_pt_thread_map(t, aux_bytes, why, whylen);
	if (err) {
		kfr_pt_thread_close(t);
		return err;
	}
	return 0;
}

static const char *map_fix(int err)
{
	switch (err) {
	case EPERM:
	case ENOMEM:
		return "locked-memory limit: raise kernel.perf_event_mlock_kb (sysctl) or give the JVM CAP_IPC_LOCK, "
		       "or use a smaller pt.buffer";
	case EOPNOTSUPP:
		return "this PMU has no AUX area (only a hardware tracer such as intel_pt has one)";
	case EINVAL:
		return "the kernel refused the ring's size (power of two pages) or offset";
	default:
		return "see perf_event_open(2), section 'MMAP layout'";
	}
}

int kfr_pt_thread_map(struct kfr_pt_thread *t, size_t aux_bytes, char *why, size_t whylen)
{
	size_t p = page_size();
	/* The data ring only carries PERF_RECORD_AUX/ITRACE_START records that kfr does not read: one
	 * page (the minimum, 2^0) keeps the locked memory for the AUX ring. */
	t->data_len = 2 * p;
	void *base = mmap(NULL, t->data_len, PROT_READ | PROT_WRITE, MAP_SHARED, t->fd, 0);
	if (base == MAP_FAILED) {
		int err = errno;
		snprintf(why, whylen, "mmap of thread %d's perf ring failed: %s; %s", t->tid, strerror(err), map_fix(err));
		return -err;
	}
	t->page = base;
	t->aux_len = kfr_pt_aux_bytes(aux_bytes);
	t->page->aux_offset = t->data_len;
	t->page->aux_size = t->aux_len;
	/* PROT_READ without PROT_WRITE: the kernel puts the AUX ring in overwrite (snapshot) mode: it
	 * never waits for a reader's aux_tail, keeps writing round the ring, and nothing is copied until
	 * a snapshot reads it. */
	void *aux = mmap(NULL, t->aux_len, PROT_READ, MAP_SHARED, t->fd, (off_t)t->data_len);
	if (aux == MAP_FAILED) {
		int err = errno;
		snprintf(why, whylen, "mmap of thread %d's AUX area (%zu KB, read-only = snapshot mode) failed: %s; %s",
			 t->tid, t->aux_len >> 10, strerror(err), map_fix(err));
		return -err;
	}
	t->aux = aux;
	return 0;
}

void kfr_pt_thread_close(struct kfr_pt_thread *t)
{
	if (t->aux)
		munmap(t->aux, t->aux_len);
	if (t->page)
		munmap(t->page, t->data_len);
	if (t->fd >= 0)
		close(t->fd);
	t->aux = NULL;
	t->page = NULL;
	t->fd = -1;
}

int kfr_pt_set_filter(int fd, const char *filter, char *why, size_t whylen)
{
	if (ioctl(fd, PERF_EVENT_IOC_SET_FILTER, filter) == 0)
		return 0;
	int err = errno;
	snprintf(why, whylen, "the kernel refused the address filter '%.80s': %s; %s", filter, strerror(err),
		 err == EOPNOTSUPP ? "more ranges than caps/num_address_ranges, or a user-space range the kernel "
				     "cannot tie to a file (use pt.filter=all)"
				   : "use pt.filter=all");
	return -err;
}

static int all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

size_t kfr_pt_ring_copy(const uint8_t *ring, size_t len, uint64_t head, uint8_t *dst, size_t cap)
{
	size_t pos = (size_t)(head % len);
	/* The ring's pages start zeroed; in overwrite mode the kernel may publish aux_head as an offset
	 * that wraps at len, so data after pos means the ring went round (perf's own snapshot reader
	 * decides the same way). */
	int wrapped = head >= len || !all_zero(ring + pos, len - pos);
	size_t valid = wrapped ? len : pos;
	size_t n = valid < cap ? valid : cap;
	/* the newest n bytes end at pos; oldest first */
	size_t start = (pos + len - n) % len;
	size_t first = len - start < n ? len - start : n;
	memcpy(dst, ring + start, first);
	memcpy(dst + first, ring, n - first);
	return n;
}

long kfr_pt_snapshot(struct kfr_pt_thread *t, void *dst, size_t cap, uint64_t *head, int *wrapped)
{
	/* Disabling stops the tracer on the thread's CPU (an IPI if it runs) and makes the kernel end
	 * the AUX transaction: aux_head is then final and the ring does not move while it is copied. */
	if (ioctl(t->fd, PERF_EVENT_IOC_DISABLE, 0))
		return -errno;
	uint64_t h = __atomic_load_n(&t->page->aux_head, __ATOMIC_ACQUIRE);
	size_t pos = (size_t)(h % t->aux_len);
	*wrapped = h >= t->aux_len || !all_zero((const uint8_t *)t->aux + pos, t->aux_len - pos);
	size_t n = kfr_pt_ring_copy(t->aux, t->aux_len, h, dst, cap);
	*head = h;
	t->snapshots++;
	if (ioctl(t->fd, PERF_EVENT_IOC_ENABLE, 0))
		return -errno;
	return (long)n;
}

int kfr_pt_time_conversion(const struct kfr_pt_thread *t, uint64_t out[3])
{
	if (!t->page || !t->page->cap_user_time_zero)
		return -1;
	out[0] = t->page->time_zero;
	out[1] = t->page->time_mult;
	out[2] = t->page->time_shift;
	return 0;
}
