package io.kfr.collectors.workingset;

import java.util.Locale;

/** How the prefetcher brings a range into the page cache. */
public enum PrefetchMethod {
    /**
     * Starts every read as FADVISE does, then pread(2)s every range with the file's readahead off
     * (POSIX_FADV_RANDOM, so that the disk reads the set and no more): returns once all is in.
     */
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
