package io.kfr.collectors.workingset;

/**
 * One file of a recording with what it cost: its pages in the set, those read from disk by the
 * process's threads, and the time its threads slept right after missing its pages.
 */
public record RecordedFile(FileSet set, long missedPages, long waits, long waitNanos) {
    /** The share of the file's pages that were read from disk while a thread of the process waited for them. */
    public double missedShare() {
        long pages = set.pages();
        return pages == 0 ? 0 : (double) missedPages / pages;
    }
}
