package io.kfr.agent.cli.doctor;

import io.kfr.collectors.offcpu.JavaFramesSelfTest;
import io.kfr.collectors.probe.CollectorTrial;

/** The collectors opened on this JVM as the agent opens them, and closed at once. */
final class CollectorChecks {
    private CollectorChecks() {
    }

    static Check offCpu(CollectorTrial.Outcome o) {
        return check("collector.offcpu", "off-CPU collector", o, "raw_tp".equals(o.mode()));
    }

    static Check cpu(CollectorTrial.Outcome o) {
        return check("collector.cpu", "CPU sampler", o, false);
    }

    private static Check check(String name, String what, CollectorTrial.Outcome o, boolean slowPath) {
        if (!o.runs()) {
            boolean denied = o.reason().contains("not permitted") || o.reason().contains("EPERM")
                    || o.reason().contains("EACCES");
            return Check.missing(name, what + " does not open: " + o.reason(),
                    denied ? Fixes.PRIVILEGES_SHORT : "see the missing lines above");
        }
        String detail = what + " opens: " + o.mode() + ", " + javaFrames(o)
                + (o.javaFrames().isEmpty() ? " (start-up self-test " + JavaFramesSelfTest.outcome() + ")" : "");
        if (!o.javaFrames().isEmpty()) {
            return Check.limited(name, detail, "a HotSpot JDK 17 or later (see the jvm line)");
        }
        if (slowPath) {
            return Check.limited(name, detail + " (tp_btf did not load: see bpf.prog.tp_btf)", Fixes.BTF);
        }
        return Check.ok(name, detail);
    }

    static String javaFrames(CollectorTrial.Outcome o) {
        return o.javaFrames().isEmpty() ? "Java frames" : "Java frames off: " + o.javaFrames();
    }

    /** The closing line: which collectors run here. */
    static String summary(CollectorTrial.Outcome off, CollectorTrial.Outcome cpu, boolean pt) {
        return "kfr here: off-CPU " + (off.runs() ? "yes (" + off.mode() + ", " + javaFrames(off) + ")" : "no")
                + "; CPU " + (cpu.runs() ? "yes (" + cpu.mode() + ", " + javaFrames(cpu) + ")" : "no")
                + "; Intel PT " + (pt ? "available (no kfr collector yet)" : "no");
    }
}
