package io.kfr.collectors.workingset;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The most one posix_fadvise(WILLNEED) or readahead(2) call reads on a device: the kernel cuts each
 * request to max(read_ahead_kb, max_sectors_kb) of the block device's queue and drops the rest
 * without an error (force_page_cache_ra). 128 KB when sysfs does not say (the smallest usual window).
 */
public final class ReadaheadWindow {
    static final long FALLBACK = 128 * 1024;
    private static final Map<Long, Long> CACHE = new ConcurrentHashMap<>();

    private ReadaheadWindow() {
    }

    /** Bytes for a file on device (st_dev). */
    public static long bytes(long device) {
        return CACHE.computeIfAbsent(device, ReadaheadWindow::lookUp);
    }

    private static long lookUp(long device) {
        long major = ((device >>> 32) & 0xfffff000L) | ((device >>> 8) & 0xfff);
        long minor = ((device >>> 12) & 0xffffff00L) | (device & 0xff);
        Path dev = Path.of("/sys/dev/block/" + major + ":" + minor);
        // a partition's queue is its disk's
        for (Path q : new Path[] {dev.resolve("queue"), dev.resolve("../queue")}) {
            long kb = Math.max(kb(q.resolve("read_ahead_kb")), kb(q.resolve("max_sectors_kb")));
            if (kb > 0) {
                return kb * 1024;
            }
        }
        return FALLBACK;
    }

    private static long kb(Path p) {
        try {
            return Long.parseLong(Files.readString(p).trim());
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
