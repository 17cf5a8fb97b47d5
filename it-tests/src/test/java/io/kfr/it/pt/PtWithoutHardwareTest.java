package io.kfr.it.pt;

import io.kfr.it.support.Cli;
import io.kfr.it.support.Jdk;
import io.kfr.it.support.JvmRun;
import io.kfr.it.support.ReadBack;
import io.kfr.it.support.workload.Sleepy;
import io.kfr.it.support.workload.Steady;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code pt} on a machine without Intel PT (this one: an AMD VM): one line naming what is missing
 * and the fix, and the other collectors record as without it; {@code kfr pt-snapshot} says no PT
 * collector runs. Where /sys/bus/event_source/devices/intel_pt exists these tests do not apply.
 */
class PtWithoutHardwareTest {
    private static final boolean HAS_PT = Files.exists(Path.of("/sys/bus/event_source/devices/intel_pt"));

    @Test
    void ptIsOneLineAndTheOffCpuCollectorRecords() throws Exception {
        if (HAS_PT) {
            return;
        }
        Path file = Files.createTempDirectory("kfr-it-pt").resolve("pt.jfr");
        JvmRun.Result r = JvmRun.on(Jdk.JDK17).agent("offcpu,pt,pt.trigger=5ms,file=" + file).main(Sleepy.class).run(60);
        assertEquals(0, r.exitCode(), r.describe());
        assertTrue(r.stdout().contains("WORKLOAD-DONE"), r.describe());
        assertFalse(r.stderr().contains("Exception"), "no stack trace\n" + r.describe());
        List<String> pt = r.kfrLines().stream().filter(l -> l.contains("Intel PT") || l.contains("pt:")).toList();
        assertEquals(1, pt.size(), "one line about PT\n" + r.describe());
        assertTrue(pt.get(0).contains("no Intel PT on this machine (/sys/bus/event_source/devices/intel_pt missing)")
                && pt.get(0).contains("CONFIG_PERF_EVENTS_INTEL_PT") && pt.get(0).contains("hypervisor"), pt.get(0));
        assertTrue(r.kfrLines().stream().anyMatch(l -> l.startsWith("kfr: off-CPU collector running")), r.describe());
        ReadBack back = ReadBack.read(file);
        assertTrue(back.eventCounts.getOrDefault("kfr.OffCpu", 0L) >= 5, "Sleepy's sleeps are recorded\n" + back.format());
        assertEquals(0L, back.eventCounts.getOrDefault("kfr.HotPath", 0L), back.format());
    }

    /** A bad pt option: one line, kfr not started, the JVM runs (every option's rule: the agent's PtOptionsTest). */
    @Test
    void aBadPtOptionIsOneLine() throws Exception {
        JvmRun.Result r = JvmRun.on(Jdk.JDK17).agent("offcpu,pt,pt.buffer=1k").main(Sleepy.class).run(60);
        assertEquals(0, r.exitCode(), r.describe());
        assertTrue(r.stdout().contains("WORKLOAD-DONE"), r.describe());
        assertEquals(List.of("kfr: value '1k' for pt.buffer is out of range 64k..256m (kfr not started)"), r.kfrLines(),
                r.describe());
    }

    @Test
    void ptSnapshotSaysNoPtCollectorRuns() throws Exception {
        if (HAS_PT) {
            return;
        }
        Path log = Files.createTempFile("kfr-it-pt", ".out");
        Process target = new ProcessBuilder(Jdk.JDK17.java().toString(), "-cp",
                Path.of("target/test-classes").toAbsolutePath().toString(), Steady.class.getName(), "60")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!Files.readString(log).contains("READY") && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            String pid = Long.toString(target.pid());
            Cli.Result start = Cli.inProcess("start", pid, "offcpu,pt");
            assertEquals(0, start.exitCode(), "the off-CPU collector runs: " + start);
            assertTrue(start.stdout().contains("no Intel PT on this machine"), "the warning: " + start);
            Cli.Result snap = Cli.inProcess("pt-snapshot", pid);
            assertEquals(1, snap.exitCode(), snap.toString());
            assertTrue(snap.stderr().contains("no Intel PT collector runs in this JVM (option pt"), snap.toString());
            assertEquals(0, Cli.inProcess("stop", pid).exitCode());
        } finally {
            target.destroy();
            target.waitFor(10, TimeUnit.SECONDS);
            Files.deleteIfExists(log);
        }
    }
}
