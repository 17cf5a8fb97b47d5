package io.kfr.it.offcpu;

import io.kfr.it.support.Cli;
import io.kfr.it.support.Jdk;
import io.kfr.it.support.JvmRun;
import io.kfr.it.support.WorkloadClasses;
import io.kfr.it.support.workload.Sleepy;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The start-up self-test of Java frames (collectors' JavaFramesSelfTest): it passes on a JDK whose
 * layout kfr reads right (doctor says so, with what it compared), and it fails on a layout kfr
 * misreads: with the test-only knob making ConstMethod::_name_index wrong (every method would be
 * named by its descriptor), Java frames are turned off with one line naming the differing frame,
 * and no recorded stack carries a Java frame — never a wrong name; kfr.CollectorStatistics says why.
 */
class JavaFramesSelfTestTest {
    @Test
    void doctorReportsThePassedSelfTest() throws Exception {
        Cli.Result r = Cli.jar(Jdk.JDK21, JvmRun.AGENT_JAR, null, "doctor");
        String offcpu = r.stdout().lines().filter(l -> l.contains("collector.offcpu")).findFirst().orElse("");
        assertTrue(offcpu.contains("start-up self-test passed (") && offcpu.contains("compiled frames equal to")
                        && !offcpu.contains(" 0 compiled frames"),
                "doctor on JDK 21:\n" + r.stdout() + r.stderr());
    }

    @Test
    void aMisreadLayoutTurnsJavaFramesOffWithOneLine() throws Exception {
        Path dir = Files.createTempDirectory("kfr-it-selftest");
        Path file = dir.resolve("selftest.jfr");
        JvmRun.Result r = JvmRun.on(Jdk.JDK17).jvmArg("-Dkfr.test.javaFrames.corrupt=ConstMethod::_name_index")
                .agent("offcpu,cpu,file=" + file).classpath(WorkloadClasses.copyTo(dir, Sleepy.class))
                .main(Sleepy.class).run(120);
        assertEquals(0, r.exitCode(), r.describe());
        assertTrue(r.stdout().contains("WORKLOAD-DONE"), r.describe());
        List<String> off = r.kfrLines().stream().filter(l -> l.contains("Java frames off")).toList();
        assertEquals(1, off.size(), "one line\n" + r.describe());
        assertTrue(off.get(0).contains("the start-up self-test's stack differs from Thread.getStackTrace: frame 0 is")
                && off.get(0).contains("the JVM says io.kfr.collectors.offcpu.JavaFramesSelfTest$Chain.leaf"), off.get(0));

        List<OffCpuStacks.Event> events = OffCpuStacks.read(file);
        assertTrue(events.size() > 10, "events recorded: " + events.size());
        List<OffCpuStacks.Event> withJava = events.stream().filter(e -> !e.javaFrames().isEmpty()).toList();
        assertTrue(withJava.isEmpty(), "no Java frames once the self-test failed, yet " + withJava.size()
                + " events have some, e.g. " + (withJava.isEmpty() ? "" : withJava.get(0).frames()));
        assertFalse(events.stream().anyMatch(e -> e.threadName().equals("kfr-selftest")),
                "the self-test's own intervals are not in the recording");

        List<String> outcomes = jdk.jfr.consumer.RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().equals("kfr.CollectorStatistics"))
                .map(e -> e.getString("javaFramesSelfTest")).distinct().toList();
        assertEquals(1, outcomes.size(), "one outcome in every statistics event: " + outcomes);
        assertTrue(outcomes.get(0).startsWith("failed: the start-up self-test's stack differs from Thread.getStackTrace")
                && off.get(0).contains(outcomes.get(0).substring("failed: ".length())),
                "the statistics carry the self-test's outcome: " + outcomes.get(0) + "\n" + off.get(0));
    }
}
