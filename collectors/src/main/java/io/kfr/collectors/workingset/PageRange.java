package io.kfr.collectors.workingset;

/** Pages {@code first .. first + count - 1} of a file (4 KB pages). */
public final class PageRange {
    private final long first;
    private final long count;

    public long first() {
        return first;
    }

    public long count() {
        return count;
    }

    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof PageRange)) {
            return false;
        }
        PageRange o = (PageRange) other;
        return first == o.first && count == o.count;
    }

    @Override
    public int hashCode() {
        int h = 0;
        h = 31 * h + Long.hashCode(first);
        h = 31 * h + Long.hashCode(count);
        return h;
    }

    @Override
    public String toString() {
        return "PageRange[first=" + first + ", count=" + count + "]";
    }

    public static final int PAGE_BYTES = 4096;

    public PageRange(long first, long count) {
        if (first < 0 || count <= 0) {
            throw new IllegalArgumentException("bad page range " + first + "+" + count);
        }
        this.first = first;
        this.count = count;
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
