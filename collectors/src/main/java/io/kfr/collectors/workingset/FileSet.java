package io.kfr.collectors.workingset;

import java.util.List;

/**
 * One file of a working set: its identity when it was recorded (a file whose size, modification
 * time or inode differ later is another file and is not prefetched) and its pages, sorted and merged.
 */
public record FileSet(String path, long size, long mtimeNanos, long inode, long device, List<PageRange> ranges) {
    public FileSet {
        ranges = List.copyOf(ranges);
    }

    public long pages() {
        return PageRanges.pages(ranges);
    }

    public long bytes() {
        return pages() * PageRange.PAGE_BYTES;
    }
}
