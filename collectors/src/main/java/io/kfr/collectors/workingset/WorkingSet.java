package io.kfr.collectors.workingset;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** The files and pages a program read or touched while it started. */
public final class WorkingSet {
    private final long recordedAtMillis;
    private final List<FileSet> files;

    public long recordedAtMillis() {
        return recordedAtMillis;
    }

    public List<FileSet> files() {
        return files;
    }

    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof WorkingSet)) {
            return false;
        }
        WorkingSet o = (WorkingSet) other;
        return recordedAtMillis == o.recordedAtMillis && Objects.equals(files, o.files);
    }

    @Override
    public int hashCode() {
        int h = 0;
        h = 31 * h + Long.hashCode(recordedAtMillis);
        h = 31 * h + Objects.hashCode(files);
        return h;
    }

    @Override
    public String toString() {
        return "WorkingSet[recordedAtMillis=" + recordedAtMillis + ", files=" + files + "]";
    }

    public WorkingSet(long recordedAtMillis, List<FileSet> files) {
        files = List.copyOf(files);
        this.recordedAtMillis = recordedAtMillis;
        this.files = files;
    }

    /**
     * This set without what the recorded program wrote itself: files modified at or after
     * {@code sinceEpochNanos} (when the recording began: logs, caches it made) and its perf data file
     * ({@code hsperfdata_<user>/<pid>}, which a JVM maps and writes before any agent runs). They
     * hold the program's own new data: the next start writes them anew (the perf data file is even
     * named after the pid), and prefetching their old pages would only read what is about to be
     * replaced.
     */
    public WorkingSet withoutOwnOutput(long sinceEpochNanos, long pid) {
        String pidName = Long.toString(pid);
        List<FileSet> kept = new ArrayList<>(files.size());
        for (FileSet f : files) {
            if (f.mtimeNanos() < sinceEpochNanos && !isPerfDataOf(f.path(), pidName)) {
                kept.add(f);
            }
        }
        return kept.size() == files.size() ? this : new WorkingSet(recordedAtMillis, kept);
    }

    private static boolean isPerfDataOf(String path, String pidName) {
        int slash = path.lastIndexOf('/');
        int dir = slash > 0 ? path.lastIndexOf('/', slash - 1) : -1;
        return slash > 0 && path.substring(slash + 1).equals(pidName) && path.startsWith("/hsperfdata_", dir);
    }

    public long bytes() {
        long n = 0;
        for (FileSet f : files) {
            n += f.bytes();
        }
        return n;
    }
}
