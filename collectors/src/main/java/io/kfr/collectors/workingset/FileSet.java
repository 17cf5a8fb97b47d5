package io.kfr.collectors.workingset;

import java.util.List;
import java.util.Objects;

/**
 * One file of a working set: its identity when it was recorded (a file whose size, modification
 * time or inode differ later is another file and is not prefetched) and its pages, sorted and merged.
 */
public final class FileSet {
    private final String path;
    private final long size;
    private final long mtimeNanos;
    private final long inode;
    private final long device;
    private final List<PageRange> ranges;

    public String path() {
        return path;
    }

    public long size() {
        return size;
    }

    public long mtimeNanos() {
        return mtimeNanos;
    }

    public long inode() {
        return inode;
    }

    public long device() {
        return device;
    }

    public List<PageRange> ranges() {
        return ranges;
    }

    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof FileSet)) {
            return false;
        }
        FileSet o = (FileSet) other;
        return Objects.equals(path, o.path) && size == o.size && mtimeNanos == o.mtimeNanos && inode == o.inode
                && device == o.device && Objects.equals(ranges, o.ranges);
    }

    @Override
    public int hashCode() {
        int h = 0;
        h = 31 * h + Objects.hashCode(path);
        h = 31 * h + Long.hashCode(size);
        h = 31 * h + Long.hashCode(mtimeNanos);
        h = 31 * h + Long.hashCode(inode);
        h = 31 * h + Long.hashCode(device);
        h = 31 * h + Objects.hashCode(ranges);
        return h;
    }

    @Override
    public String toString() {
        return "FileSet[path=" + path + ", size=" + size + ", mtimeNanos=" + mtimeNanos + ", inode=" + inode
                + ", device=" + device + ", ranges=" + ranges + "]";
    }

    public FileSet(String path, long size, long mtimeNanos, long inode, long device, List<PageRange> ranges) {
        ranges = List.copyOf(ranges);
        this.path = path;
        this.size = size;
        this.mtimeNanos = mtimeNanos;
        this.inode = inode;
        this.device = device;
        this.ranges = ranges;
    }

    public long pages() {
        return PageRanges.pages(ranges);
    }

    public long bytes() {
        return pages() * PageRange.PAGE_BYTES;
    }
}
