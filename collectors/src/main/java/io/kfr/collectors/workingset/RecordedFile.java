package io.kfr.collectors.workingset;

import java.util.Objects;

/**
 * One file of a recording with what it cost: its pages in the set, those read from disk by the
 * process's threads, and the time its threads slept right after missing its pages.
 */
public final class RecordedFile {
    private final FileSet set;
    private final long missedPages;
    private final long waits;
    private final long waitNanos;

    public RecordedFile(FileSet set, long missedPages, long waits, long waitNanos) {
        this.set = set;
        this.missedPages = missedPages;
        this.waits = waits;
        this.waitNanos = waitNanos;
    }

    public FileSet set() {
        return set;
    }

    public long missedPages() {
        return missedPages;
    }

    public long waits() {
        return waits;
    }

    public long waitNanos() {
        return waitNanos;
    }

    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof RecordedFile)) {
            return false;
        }
        RecordedFile o = (RecordedFile) other;
        return Objects.equals(set, o.set) && missedPages == o.missedPages && waits == o.waits
                && waitNanos == o.waitNanos;
    }

    @Override
    public int hashCode() {
        int h = 0;
        h = 31 * h + Objects.hashCode(set);
        h = 31 * h + Long.hashCode(missedPages);
        h = 31 * h + Long.hashCode(waits);
        h = 31 * h + Long.hashCode(waitNanos);
        return h;
    }

    @Override
    public String toString() {
        return "RecordedFile[set=" + set + ", missedPages=" + missedPages + ", waits=" + waits
                + ", waitNanos=" + waitNanos + "]";
    }

    /** The share of the file's pages that were read from disk while a thread of the process waited for them. */
    public double missedShare() {
        long pages = set.pages();
        return pages == 0 ? 0 : (double) missedPages / pages;
    }
}
