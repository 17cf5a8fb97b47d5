package io.kfr.collectors.workingset;

import java.util.List;

/** What a prefetch did: bytes requested, files, the requests that failed, and how long it took. */
public record PrefetchResult(PrefetchMethod method, long bytes, int files, List<String> failures, long elapsedNanos) {
    public String summary() {
        return String.format("kfr prefetch: %d files, %.1f MB by %s in %.1f ms%s", files, bytes / 1048576.0,
                method.optionName(), elapsedNanos / 1e6, failures.isEmpty() ? "" : ", " + failures.size() + " failed");
    }
}
