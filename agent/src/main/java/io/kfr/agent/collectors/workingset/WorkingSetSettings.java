package io.kfr.agent.collectors.workingset;

import java.nio.file.Path;
import java.util.Objects;

/** The working-set collector's options: its file (null when it does not run) and its recording window. */
final class WorkingSetSettings {
    final Path file;
    final long windowNanos;

    WorkingSetSettings(Path file, long windowNanos) {
        this.file = file;
        this.windowNanos = windowNanos;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof WorkingSetSettings && Objects.equals(file, ((WorkingSetSettings) other).file)
                && windowNanos == ((WorkingSetSettings) other).windowNanos;
    }

    @Override
    public int hashCode() {
        return 31 * Objects.hashCode(file) + Long.hashCode(windowNanos);
    }

    @Override
    public String toString() {
        return "WorkingSetSettings[file=" + file + ", windowNanos=" + windowNanos + "]";
    }
}
