package io.kfr.collectors.workingset;

import java.util.Locale;

/** How the prefetcher brings a range into the page cache. */
public enum PrefetchMethod {
    /** pread(2) of every range into a buffer, one after another: waits for each read. */
    READ(0),
    /** posix_fadvise(POSIX_FADV_WILLNEED) per range: the kernel starts the reads and returns. */
    FADVISE(1),
    /** readahead(2) per range: the same path in the kernel, one call per range. */
    READAHEAD(2),
    /** mmap + madvise(MADV_POPULATE_READ) per range: returns once the pages are in. */
    POPULATE(3);

    final int code;

    PrefetchMethod(int code) {
        this.code = code;
    }

    public String optionName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static PrefetchMethod parse(String s) {
        for (PrefetchMethod m : values()) {
            if (m.optionName().equals(s)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown prefetch method '" + s + "' (read, fadvise, readahead, populate)");
    }
}
