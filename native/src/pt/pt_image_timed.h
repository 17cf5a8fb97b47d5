/*
 * Code whose bytes depend on the trace's time: versions of JIT code that was freed (the bytes it had
 * from its load to its unload) and changes (a range's bytes became others at a time: a compile, a
 * generated stub, an unload). An image's copies are of snapshot time; for a trace older than a
 * change over the same range they are the wrong bytes, and the decoder must stop rather than
 * decode them. Times are TSC, the time base of the trace's own timing packets.
 */
#ifndef KFR_PT_IMAGE_TIMED_H
#define KFR_PT_IMAGE_TIMED_H

#include <stdint.h>

struct kfr_pt_image;

/* What the image's timed code says about an ip at the trace's time. */
enum kfr_pt_timed_answer {
	KFR_PT_TIMED_NONE,     /* nothing: the image's other code applies */
	KFR_PT_TIMED_COPY,     /* a version valid then: read it */
	KFR_PT_TIMED_CHANGED,  /* the bytes there changed after then, and no version of then is known */
	KFR_PT_TIMED_UNTIMED,  /* timed code there, but the trace has no time: the image's other code
				* applies; where it has none, the newest version, if any (*bytes, or NULL) */
};

/* `size` bytes (copied) that were at `address` for trace times in [from_tsc, until_tsc). 0 or -1. */
int kfr_pt_image_add_version(struct kfr_pt_image *img, uint64_t address, const void *bytes, uint64_t size,
			     uint64_t from_tsc, uint64_t until_tsc);
/* The bytes of [address, address + size) changed at tsc. 0 or -1. */
int kfr_pt_image_add_change(struct kfr_pt_image *img, uint64_t address, uint64_t size, uint64_t tsc);

/*
 * The answer for ip at the trace's time, asked of img->trace_time only where timed code lies (most
 * reads are of code no record is about: they cost the piece's lookup alone). On COPY (and UNTIMED
 * with a version), *bytes and *avail are the version's bytes from ip on.
 */
enum kfr_pt_timed_answer kfr_pt_timed_lookup(struct kfr_pt_image *img, uint64_t ip, const uint8_t **bytes,
					     uint64_t *avail);

void kfr_pt_timed_free(struct kfr_pt_image *img);

#endif
