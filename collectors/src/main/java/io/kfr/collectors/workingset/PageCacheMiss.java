package io.kfr.collectors.workingset;

import io.kfr.collectors.StackTrace;
import io.kfr.collectors.ThreadRef;

/**
 * A thread of this JVM brought pages of a file into the page cache (read them from disk), and how
 * long it then slept uninterruptibly waiting for them (0: it did not wait, or not right after).
 */
public record PageCacheMiss(ThreadRef thread, StackTrace stack, long epochNanos, long waitNanos, String file, long offset,
                            long pages) {
}
