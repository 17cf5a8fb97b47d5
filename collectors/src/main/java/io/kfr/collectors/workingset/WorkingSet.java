package io.kfr.collectors.workingset;

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

    public long bytes() {
        long n = 0;
        for (FileSet f : files) {
            n += f.bytes();
        }
        return n;
    }
}
