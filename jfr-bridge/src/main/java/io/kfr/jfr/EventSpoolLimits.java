package io.kfr.jfr;

import java.io.IOException;
import java.nio.file.FileStore;

/** The spool's bounds, for those who place it (the agent's session). */
public final class EventSpoolLimits {
    private EventSpoolLimits() {
    }

    /** Free space a spool in java.io.tmpdir leaves there: 64 MB, or 5% of a larger file system. */
    public static long reserveBytes(FileStore store) throws IOException {
        return EventSpool.reserveBytes(store);
    }
}
