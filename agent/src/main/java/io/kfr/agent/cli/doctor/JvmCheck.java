package io.kfr.agent.cli.doctor;

import io.kfr.collectors.probe.Probes;

/** Whether kfr can walk Java frames in this JVM: its HotSpot layout, read from its own VMStructs. */
final class JvmCheck {
    private JvmCheck() {
    }

    static Check check() {
        String jvm = System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                + " (" + System.getProperty("java.home") + ")";
        String why = Probes.hotspotLayout();
        if (why.isEmpty()) {
            return Check.ok("jvm", jvm + ": HotSpot layout readable, Java frames in kfr's stacks");
        }
        return Check.limited("jvm", jvm + ": Java frames off: " + why + " (this JVM; run doctor with the "
                + "application's java to check that one)", "a HotSpot JDK 11 or later");
    }
}
