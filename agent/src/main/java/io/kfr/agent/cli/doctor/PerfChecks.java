package io.kfr.agent.cli.doctor;

import io.kfr.collectors.probe.Probes;

import java.util.List;

/** The CPU sampler's perf events: each opened for real (disabled) and closed again. */
final class PerfChecks {
    private PerfChecks() {
    }

    static List<Check> all() {
        return List.of(cpuClock(), cycles());
    }

    /** As the CPU sampler opens it: one event per CPU, for every process (BPF keeps this JVM's samples). */
    static Check cpuClock() {
        String meaning = "cpu-clock, CPU-wide: the CPU sampler's event where there is no PMU";
        Probes.Result r = Probes.perf("cpu-clock");
        if (r.ok()) {
            return Check.ok("perf.cpu-clock", meaning);
        }
        if (r.denied()) {
            Probes.Result self = Probes.perf("cpu-clock-self");
            return Check.missing("perf.cpu-clock", meaning + " -- " + r.reason() + "; for this process only: "
                    + (self.ok() ? "opens" : self.reason()), Fixes.PRIVILEGES_SHORT);
        }
        return Check.missing("perf.cpu-clock", meaning + " -- " + r.reason(), "a kernel with CONFIG_PERF_EVENTS");
    }

    static Check cycles() {
        String meaning = "hardware cycles (PMU): the CPU sampler's event with cpu.event=auto";
        Probes.Result r = Probes.perf("cycles");
        if (r.ok()) {
            return Check.ok("perf.cycles", meaning);
        }
        if (r.denied()) {
            return Check.limited("perf.cycles", meaning + " -- cannot tell: " + r.reason(), Fixes.PRIVILEGES_SHORT);
        }
        return Check.missing("perf.cycles", meaning + " -- no hardware PMU (" + r.reason()
                + "): the CPU sampler uses cpu-clock", Fixes.PMU);
    }
}
