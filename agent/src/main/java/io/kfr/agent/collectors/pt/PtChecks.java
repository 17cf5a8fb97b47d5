package io.kfr.agent.collectors.pt;

import io.kfr.agent.cli.doctor.Capabilities;
import io.kfr.agent.cli.doctor.Check;
import io.kfr.agent.cli.doctor.Fixes;
import io.kfr.collectors.probe.Probes;
import io.kfr.collectors.pt.PtNative;
import io.kfr.collectors.pt.PtPerfConfig;
import io.kfr.collectors.pt.PtPerfSession;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * doctor's lines for the Intel PT collector (option pt): the perf event, the PMU and its config terms, address
 * filters, snapshot mode, the locked-memory budget for the per-thread rings, and the decoder library.
 * Without the PMU the perf event and PMU lines say so and the rest would only repeat it.
 */
final class PtChecks {
    private static final int CAP_IPC_LOCK = 14;

    private PtChecks() {
    }

    static List<Check> all(Capabilities caps) {
        List<Check> out = new ArrayList<>();
        Check library = library();
        out.add(perfEvent());
        out.add(library);
        String pmu = library.status() == Check.Status.OK ? PtPerfSession.describePmu(PtPerfSession.SYSFS) : null;
        if (pmu == null || pmu.startsWith("!")) {
            if (pmu != null) {
                out.add(Check.missing("pt.pmu", pmu.substring(1), Fixes.PT));
            }
            return out;
        }
        out.add(Check.ok("pt.pmu", "intel_pt " + pmu));
        out.add(filters());
        out.add(snapshotMode(pmu));
        out.add(buffers(caps));
        return out;
    }

    /** Whether perf opens an intel_pt event here, opened for real (disabled) and closed again. */
    static Check perfEvent() {
        String meaning = "Intel PT: hardware traces for hot paths (option pt: kfr.HotPath, kfr.PtSpan)";
        Probes.Result r = Probes.perf("intel_pt");
        if (r.ok()) {
            return Check.ok("perf.intel_pt", meaning);
        }
        return Check.missing("perf.intel_pt", meaning + " -- " + r.reason(), r.denied() ? Fixes.PRIVILEGES_SHORT : Fixes.PT);
    }

    static Check library() {
        String error = PtNative.load();
        if (error == null) {
            return Check.ok("pt.libipt", "libkfr_pt.so and libipt " + PtNative.libiptVersion() + " load: traces decode in the JVM");
        }
        return Check.missing("pt.libipt", error, "apt-get install libipt2");
    }

    static Check filters() {
        Path p = Path.of(PtPerfSession.SYSFS, "caps", "num_address_ranges");
        try {
            int n = Integer.parseInt(Files.readString(p).trim());
            if (n > 0) {
                return Check.ok("pt.filters", n + " address ranges: pt.filter=java can restrict tracing to the JIT code heap");
            }
            return Check.limited("pt.filters", "this CPU has no address filters: pt.filter=java traces all code",
                    "an Intel CPU of Broadwell or later with address filtering (caps/num_address_ranges > 0)");
        } catch (IOException | NumberFormatException e) {
            return Check.limited("pt.filters", "cannot read " + p + ": pt.filter=java traces all code",
                    "a kernel >= 4.7 (address filters)");
        }
    }

    /** The AUX area's overwrite mode (a read-only mapping) is in every kernel with intel_pt (>= 4.1); branch and timing terms decide what the trace has. */
    static Check snapshotMode(String pmu) {
        List<String> missing = new ArrayList<>();
        for (String term : new String[] {"tsc", "branch", "noretcomp"}) {
            if (!pmu.contains(" " + term + "=")) {
                missing.add(term);
            }
        }
        if (missing.isEmpty()) {
            return Check.ok("pt.snapshot", "AUX area in snapshot (overwrite) mode, with timing (tsc), branches and a TIP for every return");
        }
        return Check.limited("pt.snapshot", "snapshot mode works, but the PMU lacks " + missing
                + " (no times on hot paths and spans without tsc)", "a newer kernel");
    }

    /** Each traced thread locks pt.buffer (+ 8 KB) of memory, counted against perf_event_mlock_kb without CAP_IPC_LOCK. */
    static Check buffers(Capabilities caps) {
        long kb;
        try {
            kb = Long.parseLong(Files.readString(Path.of("/proc/sys/kernel/perf_event_mlock_kb")).trim());
        } catch (IOException | NumberFormatException e) {
            kb = -1;
        }
        long per = PtPerfConfig.DEFAULT_BUFFER >> 10;
        if (caps.has(CAP_IPC_LOCK) || caps.uid() == 0) {
            return Check.ok("pt.buffers", "CAP_IPC_LOCK: every thread gets its " + per + " KB ring (pt.buffer)");
        }
        long threads = kb < 0 ? 0 : kb / (per + 8);
        return Check.limited("pt.buffers", "kernel.perf_event_mlock_kb = " + kb + ": room for " + threads
                + " threads' rings of " + per + " KB; the rest are not traced",
                "give the JVM CAP_IPC_LOCK, or sysctl kernel.perf_event_mlock_kb=<threads x (pt.buffer + 8) KB>, or a smaller pt.buffer");
    }
}
