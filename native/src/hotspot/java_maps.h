/* The Java maps of hotspot_walk.bpf.h, one set per process for every collector with Java frames:
 * java_threads (tid -> anchor, stack range), java_seen (the stack ids already announced) and
 * java_stacks (the ring of Java stack records). A Java stack's id is the hash of its frames, the
 * same in every collector, so one ring, one seen-set and one reader (Java: JavaStacks) serve them
 * all: a stack that the CPU sampler and the off-CPU collector both see is sent, named and kept
 * once. The first collector's _get creates the maps from its object's definitions; every
 * collector's object reuses them (bpf_map__reuse_fd) and holds a reference until _put. */
#ifndef KFR_JAVA_MAPS_H
#define KFR_JAVA_MAPS_H

#include <stddef.h>
#include <stdint.h>

struct bpf_map;

/* Before loading a collector's object: its three maps become the shared ones (created now if none
 * exist). 0 or -errno; on 0 the collector holds a reference until kfr_hs_java_maps_put. */
int kfr_hs_java_maps_get(struct bpf_map *threads, struct bpf_map *seen, struct bpf_map *stacks);
/* After the load, for a collector whose BPF caches Java stack ids (off-CPU): its generation counter
 * (in its mmapped .bss), bumped whenever the seen-set is cleared. Removed by kfr_hs_java_maps_put. */
void kfr_hs_java_maps_generation(uint32_t *generation);
/* At the collector's close (or a failed open after _get); generation as given before, or NULL. */
void kfr_hs_java_maps_put(uint32_t *generation);

/* Copies the Java stack records sent since the last call (whole records, back to back) into buf;
 * bytes, 0 when no collector holds the maps, or -errno. */
int kfr_hs_java_stacks_read(void *buf, size_t cap);
/* Forgets which stacks were announced (each is sent again at its next walk); how many, or -errno. */
int kfr_hs_java_stacks_forget(void);

#endif
