package io.kfr.collectors.workingset;

/** Pages {@code first .. first + count - 1} of a file (4 KB pages). */
public record PageRange(long first, long count) {
    public static final int PAGE_BYTES = 4096;

    public PageRange {
        if (first < 0 || count <= 0) {
            throw new IllegalArgumentException("bad page range " + first + "+" + count);
        }
    }

    /** One past the last page. */
    public long end() {
        return first + count;
    }

    public long offsetBytes() {
        return first * PAGE_BYTES;
    }

    public long lengthBytes() {
        return count * PAGE_BYTES;
    }
}
