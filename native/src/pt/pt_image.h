/* The code a PT trace is decoded over: libipt file sections for ELF files, plus copies of code that
 * has no file (JIT code, the vDSO, test code) read through the image's memory callback, plus code
 * whose bytes depend on the trace's time (pt_image_timed.h: the JVM's sideband). */
#ifndef KFR_PT_IMAGE_H
#define KFR_PT_IMAGE_H

#include <stddef.h>
#include <stdint.h>

struct pt_image;
struct pt_image_section_cache;
struct kfr_pt_timed;

struct kfr_pt_code {
	uint64_t address;
	uint64_t size;
	uint8_t *bytes;
	char name[48];
};

struct kfr_pt_image {
	struct pt_image *image;  /* file sections; its callback reads `code` */
	/* keeps the file sections mapped: without it libipt maps and unmaps a section at every switch
	 * between two files (measured: 4x slower on a trace that calls into libc every 16th iteration) */
	struct pt_image_section_cache *iscache;
	struct kfr_pt_code *code; /* copies, newest last (a newer copy hides an older one's bytes) */
	size_t ncode, capcode;
	uint64_t copied_bytes;
	int overlapping; /* some copies overlap: then reads search newest first */
	size_t last_hit; /* index of the copy the last read came from: decoding reads the same one in runs */
	struct kfr_pt_timed *timed; /* NULL until a version or change is added */
	/* set by the decoder while it decodes: the trace's time (TSC) at the read; 0 or -1 (no time) */
	int (*trace_time)(void *ctx, uint64_t *tsc);
	void *trace_time_ctx;
	int refused; /* a read was refused: the code there changed after the trace's time */
};

struct kfr_pt_image *kfr_pt_image_new(void);
void kfr_pt_image_free(struct kfr_pt_image *img);
/* A copy of `size` bytes at `address` (the bytes are copied). 0, or -1 out of memory. */
int kfr_pt_image_add_code(struct kfr_pt_image *img, uint64_t address, const void *bytes, uint64_t size,
			  const char *name);
/* A file section: `size` bytes of `path` from `offset`, loaded at `address`. 0 or a libipt error. */
int kfr_pt_image_add_file(struct kfr_pt_image *img, const char *path, uint64_t offset, uint64_t size,
			  uint64_t address);
/* This process's r-x file mappings (sections) and its [vdso] (copied). Sections added, or -1. */
int kfr_pt_image_add_self_mappings(struct kfr_pt_image *img);
/* This process's anonymous executable mappings (the JIT code heap), copied. Regions copied, or -1. */
int kfr_pt_image_copy_anonymous_code(struct kfr_pt_image *img);

#endif
