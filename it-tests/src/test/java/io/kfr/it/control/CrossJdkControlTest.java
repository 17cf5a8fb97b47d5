package io.kfr.it.control;

import io.kfr.it.support.Cli;
import io.kfr.it.support.Jdk;
import io.kfr.it.support.JvmRun;
import io.kfr.it.support.ReadBack;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The command line run by one JDK against a JVM of another: JDK 11's java driving a JDK 25 JVM and
 * the reverse (the oldest and the newest JDK kfr serves), JDK 17's driving JDK 21 and the reverse
 * (the two LTS releases most services run), start/status/dump/stop through the control channel; and
 * doctor on each java. The attach API and kfr's control channel must not depend on the two being the
 * same release.
 */
class CrossJdkControlTest {

    @ParameterizedTest(name = "{0} command line drives a {1} JVM")
    @CsvSource({"JDK11, JDK25", "JDK25, JDK11", "JDK17, JDK21", "JDK21, JDK17"})
    void commandLineOfOneJdkDrivesAJvmOfAnother(Jdk cli, Jdk target) throws Exception {
        lifecycle(cli, target);
    }

    /** doctor on the JDKs DoctorTest (17 and 25) does not run it on. */
    @ParameterizedTest
    @EnumSource(value = Jdk.class, names = {"JDK11", "JDK21"})
    void doctorOnEveryJdk(Jdk jdk) throws Exception {
        Cli.Result r = Cli.jar(jdk, JvmRun.AGENT_JAR, null, "doctor");
        String feature = jdk.name().substring(3) + ".";
        assertTrue(r.stdout().contains("jvm") && r.stdout().contains(feature), r.toString());
        assertTrue(r.stdout().contains("collector.offcpu"), r.toString());
        assertTrue(r.stdout().contains("start-up self-test passed") || r.stdout().contains("Java frames off"),
                "doctor tells the self-test's outcome\n" + r);
    }

    private static void lifecycle(Jdk cli, Jdk target) throws Exception {
        Path dir = Files.createTempDirectory("kfr-it-cross-" + cli.name().toLowerCase());
        Path file = dir.resolve("at-stop.jfr");
        try (TargetJvm t = TargetJvm.on(target).start()) {
            String pid = Long.toString(t.pid());
            Cli.Result r = Cli.jar(cli, JvmRun.AGENT_JAR, null, "start", pid, "offcpu,file=" + file);
            assertEquals(0, r.exitCode(), r + "\n" + t.describe());
            assertTrue(r.stdout().contains("recording since"), r.toString());
            // the collector's start in the target (its self-test, symbol tables) takes seconds on a
            // loaded machine: status until its first statistics are in
            long deadline = System.nanoTime() + 90_000_000_000L;
            do {
                Thread.sleep(1000);
                r = Cli.jar(cli, JvmRun.AGENT_JAR, null, "status", pid);
            } while (!r.stdout().contains("collector offcpu:") && System.nanoTime() < deadline);
            assertEquals(0, r.exitCode(), r.toString());
            assertTrue(r.stdout().contains("pid " + pid + ": recording since"), r.toString());
            assertTrue(r.stdout().contains("collector offcpu: lost=0 dropped=0"), r.toString());

            Path dump = dir.resolve("dump.jfr");
            r = Cli.jar(cli, JvmRun.AGENT_JAR, null, "dump", pid, dump.toString());
            assertEquals(0, r.exitCode(), r.toString());
            ReadBack d = ReadBack.read(dump);
            assertTrue(d.eventCounts.getOrDefault("kfr.OffCpu", 0L) > 10, d.eventCounts.toString());
            assertTrue(d.eventCounts.getOrDefault("jdk.ThreadSleep", 0L) > 0, "the JVM's own events: " + d.eventCounts);

            r = Cli.jar(cli, JvmRun.AGENT_JAR, null, "stop", pid);
            assertEquals(0, r.exitCode(), r.toString());
            assertTrue(r.stdout().contains("stopped; wrote " + file), r.toString());
            ReadBack s = ReadBack.read(file);
            assertTrue(s.eventCounts.getOrDefault("kfr.OffCpu", 0L) >= d.eventCounts.get("kfr.OffCpu"),
                    "the file at stop holds at least what the dump did: " + d.eventCounts + " then " + s.eventCounts);
            assertTrue(s.eventCounts.getOrDefault("kfr.CollectorStatistics", 0L) > 0, s.eventCounts.toString());

            r = Cli.jar(cli, JvmRun.AGENT_JAR, null, "status", pid);
            assertTrue(r.stdout().contains("not recording") || r.stderr().contains("not recording"), r.toString());
        }
    }
}
