/* Working-set collector records, shared by workingset.bpf.c, its loader and the Java decoder
 * (io.kfr.collectors.workingset.WorkingSetRecords). Little-endian, fixed layout: change all three
 * together.
 *
 * The set itself is a hash map of 64-page bitmaps keyed by (device, inode, index / 64): a page
 * brought into the page cache or touched (read, faulted, mapped by fault-around) sets its bit, so
 * the map is the "predictive bitmap" with duplicates folded in the kernel. Ring-buffer records say
 * what the set cannot: which file a (device, inode) is, and which thread missed and how long it
 * waited. */
#ifndef KFR_WORKINGSET_RECORDS_H
#define KFR_WORKINGSET_RECORDS_H

#define KFR_WS_CHUNK_PAGES   64        /* pages per bitmap (one __u64) */
#define KFR_WS_PATH_BYTES    1024      /* path components, NUL-separated, leaf first */
#define KFR_WS_NAME_BYTES    256       /* longest component copied */
#define KFR_WS_MAX_DEPTH     32        /* directories walked up to the filesystem's root */

/* Record kinds (first __u32 of every ring-buffer record). */
#define KFR_WS_REC_FILE  1   /* first sight of a (dev, ino): its path within its filesystem */
#define KFR_WS_REC_MISS  2   /* a thread of the target brought pages into the page cache */
#define KFR_WS_REC_WAIT  3   /* a thread slept uninterruptibly right after its miss */

/* How a page entered the set (bit in a chunk's source mask, and MISS records' source). */
#define KFR_WS_SRC_ADD        0   /* mm_filemap_add_to_page_cache: read from disk */
#define KFR_WS_SRC_READ       1   /* mm_filemap_get_pages: read() of cached or new pages */
#define KFR_WS_SRC_FAULT      2   /* mm_filemap_fault: page fault on a file mapping */
#define KFR_WS_SRC_MAP        3   /* mm_filemap_map_pages: fault-around mapped cached pages */

/* Map key, 24 bytes. dev is the user-space encoding (st_dev, glibc makedev). */
struct kfr_ws_chunk_key {
	__u64 dev;
	__u64 ino;
	__u64 chunk;        /* page index / KFR_WS_CHUNK_PAGES */
};

/* Map value, 16 bytes. */
struct kfr_ws_chunk_val {
	__u64 pages;        /* bit i: page chunk * 64 + i is in the set */
	__u64 missed;       /* bit i: that page was read from disk by a target thread (ADD) */
};

/* KFR_WS_REC_FILE: 32 + KFR_WS_PATH_BYTES + KFR_WS_NAME_BYTES bytes. */
struct kfr_ws_file_rec {
	__u32 kind;
	__u32 path_len;     /* bytes used in path */
	__u64 dev;
	__u64 ino;
	__u32 complete;     /* 1: the walk reached the filesystem's root */
	__u32 pad;
	char path[KFR_WS_PATH_BYTES + KFR_WS_NAME_BYTES]; /* the tail is slack for the last copy */
};

/* KFR_WS_REC_MISS: 64 bytes. */
struct kfr_ws_miss_rec {
	__u32 kind;
	__u32 tid;
	__u64 ts_ns;        /* CLOCK_MONOTONIC */
	__u64 dev;
	__u64 ino;
	__u64 index;        /* first page */
	__u32 pages;        /* folio size in pages */
	__s32 ustack_id;    /* user stack in the stacks map, < 0 when unavailable */
	__s32 kstack_id;
	__u32 pad;
	__u64 java_ref;     /* Java stack (hotspot/java_stack_records.h: KFR_JAVA_* or a record's id) */
};

/* KFR_WS_REC_WAIT: 48 bytes. The sleep is attributed to the thread's last miss when it began
 * within wait_window_ns of that miss (no tracepoint marks the wait on a folio itself). */
struct kfr_ws_wait_rec {
	__u32 kind;
	__u32 tid;
	__u64 start_ns;     /* switch-out, CLOCK_MONOTONIC */
	__u64 duration_ns;  /* switch-out to switch-in */
	__u64 dev;
	__u64 ino;
	__u64 index;
};

/* Counters (per-CPU array, index). */
#define KFR_WS_CNT_EVENTS       0   /* tracepoint hits of the target */
#define KFR_WS_CNT_CHUNK_FULL   1   /* a chunk could not be inserted: the map is full */
#define KFR_WS_CNT_RB_FULL      2   /* a record found no room in the ring buffer */
#define KFR_WS_CNT_FILES        3   /* FILE records sent */
#define KFR_WS_CNT_MISSES       4   /* MISS records sent */
#define KFR_WS_CNT_WAITS        5   /* WAIT records sent */
#define KFR_WS_CNT_RANGE_CUT    6   /* a range longer than the walked chunks (its tail not recorded) */
#define KFR_WS_CNT_WRITE_ADDS   7   /* pages a write system call added: not reads, left out of the set */
/* Java stacks of misses (as the CPU sampler's KFR_CPU_CNT_JAVA_*) */
#define KFR_WS_CNT_JAVA_WALK    8   /* Java stacks walked */
#define KFR_WS_CNT_JAVA_WALK_NS 9   /* time in the walker, ns */
#define KFR_WS_CNT_JAVA_FRAMES  10
#define KFR_WS_CNT_JAVA_FROM_REGS 11 /* walks from the user registers (a fault in Java code) */
#define KFR_WS_CNT_JAVA_NO_ANCHOR 12 /* a Java thread with neither an anchor nor a Java pc */
#define KFR_WS_CNT_JAVA_BROKEN  13
#define KFR_WS_CNT_JAVA_SENT    14
#define KFR_WS_CNT_JAVA_LOST    15
#define KFR_WS_CNT_NR           16
/* kfr_ws_counters: the counters, then run count and run time of the miss program (ws_add), then
 * run count, run time and recursion misses of all the collector's programs */
#define KFR_WS_STAT_LEN (KFR_WS_CNT_NR + 5)

#endif
