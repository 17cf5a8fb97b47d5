package io.kfr.collectors.workingset;

import java.util.List;
import java.util.Objects;

/** What a prefetch did: bytes requested, files, the requests that failed, and how long it took. */
public final class PrefetchResult {
    private final PrefetchMethod method;
    private final long bytes;
    private final int files;
    private final List<String> failures;
    private final long elapsedNanos;

    public PrefetchResult(PrefetchMethod method, long bytes, int files, List<String> failures, long elapsedNanos) {
        this.method = method;
        this.bytes = bytes;
        this.files = files;
        this.failures = failures;
        this.elapsedNanos = elapsedNanos;
    }

    public PrefetchMethod method() {
        return method;
    }

    public long bytes() {
        return bytes;
    }

    public int files() {
        return files;
    }

    public List<String> failures() {
        return failures;
    }

    public long elapsedNanos() {
        return elapsedNanos;
    }

    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof PrefetchResult)) {
            return false;
        }
        PrefetchResult o = (PrefetchResult) other;
        return Objects.equals(method, o.method) && bytes == o.bytes && files == o.files
                && Objects.equals(failures, o.failures) && elapsedNanos == o.elapsedNanos;
    }

    @Override
    public int hashCode() {
        int h = 0;
        h = 31 * h + Objects.hashCode(method);
        h = 31 * h + Long.hashCode(bytes);
        h = 31 * h + Integer.hashCode(files);
        h = 31 * h + Objects.hashCode(failures);
        h = 31 * h + Long.hashCode(elapsedNanos);
        return h;
    }

    @Override
    public String toString() {
        return "PrefetchResult[method=" + method + ", bytes=" + bytes + ", files=" + files + ", failures=" + failures
                + ", elapsedNanos=" + elapsedNanos + "]";
    }

    public String summary() {
        return String.format("kfr prefetch: %d files, %.1f MB by %s in %.1f ms%s", files, bytes / 1048576.0,
                method.optionName(), elapsedNanos / 1e6, failures.isEmpty() ? "" : ", " + failures.size() + " failed");
    }
}
