/* One Java thread map (java_threads: tid -> anchor, stack range) for every collector of this
 * process with Java frames: the first collector's load creates it, a collector loaded while it
 * exists reuses it (bpf_map__reuse_fd), and it lives as long as one of them. Its content is the
 * same for every collector, so it is kept once. (Each collector keeps its own Java stack ring and
 * seen-set: its Java side reads the records its own events refer to.) */
#ifndef KFR_JAVA_THREADS_MAP_H
#define KFR_JAVA_THREADS_MAP_H

struct bpf_map;

/* Before loading: the map of a collector's object becomes the shared one if there is one. 0 or
 * -errno; on 0 the collector holds a reference until kfr_hs_java_threads_map_put. */
int kfr_hs_java_threads_map_get(struct bpf_map *map);
/* After a successful load: the first collector's map becomes the shared one. */
void kfr_hs_java_threads_map_loaded(struct bpf_map *map);
/* At the collector's close (or a failed open after _get). */
void kfr_hs_java_threads_map_put(void);

#endif
