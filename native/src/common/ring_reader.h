/* The one reader of a BPF ring buffer every collector uses: copies whole records into a caller's
 * buffer (a Java direct buffer), waits for records when there are none, and can be woken from
 * another thread (a stop need not wait for the poll's timeout). */
#ifndef KFR_RING_READER_H
#define KFR_RING_READER_H

#include <stddef.h>

struct kfr_ring;

/* The bytes of a variable-size record to copy, or 0 to skip it (not a record of ours). */
typedef size_t (*kfr_ring_record_len)(const void *data, size_t size);

/* A reader of the ring buffer map map_fd. Fixed-size records: record_size > 0 (record_len NULL),
 * reads return records. Variable-size: record_len says each record's size, max_record the largest,
 * reads return bytes. what names the reader in error messages ("offcpuPoll"). NULL on failure
 * (kfr_last_error says why). */
struct kfr_ring *kfr_ring_new(int map_fd, size_t record_size, kfr_ring_record_len record_len, size_t max_record,
			      const char *what);

/* Copies whole records into buf (cap bytes) from its start, as many as fit. When none is ready and
 * timeout_ms > 0, waits until records arrive, wake_fd is signalled (kfr_wakeup_signal) or the
 * timeout passes, then reads what arrived. Programs submit without waking the reader until a part
 * of the ring is unread, so a waiting read usually ends at its timeout. Returns records (fixed) or
 * bytes (variable) copied, or -errno. Serialised per reader. */
int kfr_ring_read(struct kfr_ring *r, void *buf, size_t cap, int timeout_ms, int wake_fd);

void kfr_ring_free(struct kfr_ring *r);

/* An eventfd that ends a waiting kfr_ring_read; -1 on failure (errno set). */
int kfr_wakeup_new(void);
/* Thread-safe; a wake-up already pending is enough. */
void kfr_wakeup_signal(int wake_fd);

#endif
