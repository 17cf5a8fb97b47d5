package io.kfr.collectors.workingset;

import io.kfr.collectors.natives.NativeLibrary;

/**
 * libkfr's prefetch functions. ranges: pairs (offset, length) in bytes. Negative results are -errno.
 * Callers load the library first ({@link #load()}).
 */
public final class PrefetchNative {
    private PrefetchNative() {
    }

    /** Null when libkfr is loaded, else why not. */
    public static String load() {
        return NativeLibrary.load();
    }

    /**
     * Brings the ranges in by method (PrefetchMethod.code, not READ); bytes requested. fadvise and
     * readahead go in calls of at most chunkBytes (see {@link ReadaheadWindow}).
     */
    static native long prefetch(String path, long[] ranges, int method, long chunkBytes);

    /** Pages of the ranges resident in the page cache now. */
    public static native long resident(String path, long[] ranges);

    /** Drops the file's clean pages from the page cache; 0 or -errno. */
    public static native int evict(String path);

    /**
     * Replaces this process by argv (execvp, after marking every inherited descriptor above 2
     * close-on-exec and clearing the signal mask). Returns only on failure: -errno.
     */
    public static native int exec(String[] argv);
}
