package io.kfr.collectors.workingset;

import java.util.List;

/** The files and pages a program read or touched while it started. */
public record WorkingSet(long recordedAtMillis, List<FileSet> files) {
    public WorkingSet {
        files = List.copyOf(files);
    }

    public long bytes() {
        long n = 0;
        for (FileSet f : files) {
            n += f.bytes();
        }
        return n;
    }
}
