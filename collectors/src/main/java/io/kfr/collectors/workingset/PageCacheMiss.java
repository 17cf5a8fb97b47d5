package io.kfr.collectors.workingset;

import io.kfr.collectors.StackTrace;
import io.kfr.collectors.ThreadRef;

import java.util.Objects;

/**
 * A thread of this JVM brought pages of a file into the page cache (read them from disk), and how
 * long it then slept uninterruptibly waiting for them (0: it did not wait, or not right after).
 */
public final class PageCacheMiss {
    private final ThreadRef thread;
    private final StackTrace stack;
    private final long epochNanos;
    private final long waitNanos;
    private final String file;
    private final long offset;
    private final long pages;

    public PageCacheMiss(ThreadRef thread, StackTrace stack, long epochNanos, long waitNanos, String file, long offset,
            long pages) {
        this.thread = thread;
        this.stack = stack;
        this.epochNanos = epochNanos;
        this.waitNanos = waitNanos;
        this.file = file;
        this.offset = offset;
        this.pages = pages;
    }

    public ThreadRef thread() {
        return thread;
    }

    public StackTrace stack() {
        return stack;
    }

    public long epochNanos() {
        return epochNanos;
    }

    public long waitNanos() {
        return waitNanos;
    }

    public String file() {
        return file;
    }

    public long offset() {
        return offset;
    }

    public long pages() {
        return pages;
    }

    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof PageCacheMiss)) {
            return false;
        }
        PageCacheMiss o = (PageCacheMiss) other;
        return Objects.equals(thread, o.thread) && Objects.equals(stack, o.stack) && epochNanos == o.epochNanos
                && waitNanos == o.waitNanos && Objects.equals(file, o.file) && offset == o.offset && pages == o.pages;
    }

    @Override
    public int hashCode() {
        int h = 0;
        h = 31 * h + Objects.hashCode(thread);
        h = 31 * h + Objects.hashCode(stack);
        h = 31 * h + Long.hashCode(epochNanos);
        h = 31 * h + Long.hashCode(waitNanos);
        h = 31 * h + Objects.hashCode(file);
        h = 31 * h + Long.hashCode(offset);
        h = 31 * h + Long.hashCode(pages);
        return h;
    }

    @Override
    public String toString() {
        return "PageCacheMiss[thread=" + thread + ", stack=" + stack + ", epochNanos=" + epochNanos
                + ", waitNanos=" + waitNanos + ", file=" + file + ", offset=" + offset + ", pages=" + pages + "]";
    }
}
