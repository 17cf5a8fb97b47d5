package io.kfr.agent.collectors.workingset;

import io.kfr.agent.cli.doctor.Check;
import io.kfr.collectors.CollectorException;
import io.kfr.collectors.workingset.FileIdentity;
import io.kfr.collectors.workingset.ReadaheadWindow;
import io.kfr.collectors.workingset.WorkingSetRecorder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** doctor's lines for the working-set collector: its programs load, cold starts can be measured, the readahead window. */
final class WorkingSetChecks {
    private WorkingSetChecks() {
    }

    static List<Check> all() {
        return List.of(tracepoints(), dropCaches(), readahead());
    }

    /** Loads and attaches the programs (recording nothing: no process is named) and closes them. */
    static Check tracepoints() {
        try (WorkingSetRecorder r = WorkingSetRecorder.start(0)) {
            return Check.ok("workingset.tracepoints", "filemap tracepoints (add_to_page_cache, get_pages, fault, map_pages) and "
                    + "sched_switch load: workingset=<file> records");
        } catch (CollectorException e) {
            return Check.limited("workingset.tracepoints", "do not load (" + e.getMessage() + "): workingset=<file> only prefetches",
                    "run as root or with CAP_BPF and CAP_PERFMON on a kernel with BTF");
        }
    }

    static Check dropCaches() {
        Path p = Path.of("/proc/sys/vm/drop_caches");
        if (Files.isWritable(p)) {
            return Check.ok("workingset.drop_caches", "writable: cold starts can be measured (sync; echo 3 > " + p + ")");
        }
        return Check.limited("workingset.drop_caches", "not writable: cold starts cannot be measured here (prefetch works)",
                "measure as root, outside a container that mounts /proc/sys read-only");
    }

    /** How much one fadvise or readahead call reads on the JDK's device (the prefetch cuts its requests to it). */
    static Check readahead() {
        try {
            long dev = FileIdentity.of(Path.of(System.getProperty("java.home"), "lib", "modules")).device();
            return Check.ok("workingset.readahead", "one readahead request reads up to " + ReadaheadWindow.bytes(dev) / 1024
                    + " KB on the JDK's disk");
        } catch (IOException e) {
            return Check.limited("workingset.readahead", "the JDK's modules file cannot be read: " + e.getMessage(), "none needed");
        }
    }
}
