package io.kfr.it.control;

import io.kfr.it.support.Jdk;
import io.kfr.it.support.JmcRead;
import io.kfr.it.support.JvmRun;
import io.kfr.it.support.ReadBack;
import io.kfr.it.support.workload.Exiter;
import io.kfr.it.support.workload.Sleepy;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad input and missing privileges: one clear line on stderr naming the problem and the fix, and the
 * JVM runs on normally.
 */
class FailureModesTest {
    /** Debian's nobody/nogroup. */
    private static final int NOBODY = 65534;

    @Test
    void unknownOption() throws Exception {
        JvmRun.Result r = runWith("offcpu,bogus=1");
        assertOneLine(r, "unknown option 'bogus'", "known options");
    }

    @Test
    void badThreshold() throws Exception {
        JvmRun.Result r = runWith("offcpu.threshold=fast");
        assertOneLine(r, "bad value 'fast' for offcpu.threshold", "e.g. 500us");
    }

    @Test
    void thresholdOutOfRange() throws Exception {
        JvmRun.Result r = runWith("offcpu.threshold=1h");
        assertOneLine(r, "bad value '1h' for offcpu.threshold", "2ms");
        JvmRun.Result r2 = runWith("offcpu.threshold=0ms");
        assertOneLine(r2, "out of range", "1us..10s");
    }

    @Test
    void unwritableOutputPath() throws Exception {
        JvmRun.Result r = runWith("file=/nonexistent-kfr-dir/out.jfr");
        assertOneLine(r, "cannot write file=/nonexistent-kfr-dir/out.jfr", "does not exist");
    }

    @Test
    void withoutBpfPrivileges() throws Exception {
        Path file = Files.createTempDirectory("kfr-it-nobody-out", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwxrwxrwx"))).resolve("nobody.jfr");
        Files.setPosixFilePermissions(file.getParent(), PosixFilePermissions.fromString("rwxrwxrwx"));
        JvmRun.Result r = runAsNobody("file=" + file);
        List<String> errors = r.kfrLines().stream().filter(l -> l.contains("CAP_BPF")).toList();
        assertEquals(1, errors.size(), "one line naming the missing capability\n" + r.describe());
        assertTrue(errors.get(0).contains("root") || errors.get(0).contains("setcap"), "and the fix: " + errors.get(0));
        assertTrue(Files.exists(file) && Files.size(file) > 0, "the JVM's own recording is still written\n" + r.describe());
    }

    @Test
    void cpuSamplerWithoutPerfPrivileges() throws Exception {
        JvmRun.Result r = runAsNobody("cpu");
        assertOneLine(r, "perf_event_paranoid", "CAP_PERFMON");
    }

    @Test
    void unknownCpuEvent() throws Exception {
        assertOneLine(runWith("cpu,cpu.event=instructions"), "unknown event 'instructions' for cpu.event", "cpu-clock");
    }

    @Test
    void cpuIntervalOutOfRange() throws Exception {
        assertOneLine(runWith("cpu,cpu.interval=5s"), "out of range", "1ms..1s");
        assertOneLine(runWith("cpu,cpu.interval=100"), "out of range", "at least 10000");
    }

    /** The Sleepy workload as nobody (no capabilities), from copies nobody can read. */
    private static JvmRun.Result runAsNobody(String options) throws Exception {
        Path dir = Files.createTempDirectory("kfr-it-nobody", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwxrwxrwx")));
        // nobody may not be able to read the build tree (a checkout under /root): give it copies
        Path jar = Files.copy(JvmRun.AGENT_JAR, dir.resolve("kfr-agent.jar"));
        String sleepy = Sleepy.class.getName().replace('.', '/') + ".class";
        Path classes = dir.resolve("classes");
        Files.createDirectories(classes.resolve(sleepy).getParent());
        Files.copy(Path.of("target/test-classes").resolve(sleepy), classes.resolve(sleepy));
        try (var tree = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) tree::iterator) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxrwxrwx" : "rw-r--r--"));
            }
        }
        JvmRun.Result r = JvmRun.on(Jdk.JDK17).asUser(NOBODY).agentJar(jar).classpath(classes).agent(options)
                .main(Sleepy.class).run(60);
        assertEquals(0, r.exitCode(), r.describe());
        assertTrue(r.stdout().contains("WORKLOAD-DONE"), r.describe());
        assertFalse(r.stderr().contains("Exception"), "no stack trace\n" + r.describe());
        return r;
    }

    /** System.exit while threads are blocked: the file is complete and readable by every reader. */
    @Test
    void jvmExitsMidRecording() throws Exception {
        Path file = Files.createTempDirectory("kfr-it-exit").resolve("exit.jfr");
        JvmRun.Result r = JvmRun.on(Jdk.JDK17).agent("file=" + file).main(Exiter.class, "exit", "600").run(60);
        assertEquals(3, r.exitCode(), r.describe());
        assertReadableWithBlockedThreads(file, r.describe());
    }

    /** SIGTERM (a container stop, kill): shutdown hooks run, and so does kfr's. */
    @Test
    void jvmKilledWithSigterm() throws Exception {
        Path file = Files.createTempDirectory("kfr-it-term").resolve("term.jfr");
        List<String> cmd = List.of(Jdk.JDK25.java().toString(), "-javaagent:" + JvmRun.AGENT_JAR + "=file=" + file,
                "-cp", Path.of("target/test-classes").toAbsolutePath().toString(), Exiter.class.getName(), "wait");
        Path log = Files.createTempFile("kfr-it-term", ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!Files.readString(log).contains("READY") && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        Thread.sleep(800);
        p.destroy(); // SIGTERM
        assertTrue(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS), "JVM did not stop on SIGTERM");
        String seen = Files.readString(log);
        Files.delete(log);
        assertEquals(143, p.exitValue(), seen);
        assertReadableWithBlockedThreads(file, seen);
    }

    private static void assertReadableWithBlockedThreads(Path file, String context) throws Exception {
        assertTrue(Files.isRegularFile(file), "file written\n" + context);
        ReadBack r = ReadBack.read(file);
        assertTrue(r.eventCounts.getOrDefault("kfr.OffCpu", 0L) > 10, r.format());
        assertTrue(r.eventCounts.getOrDefault("jdk.ThreadSleep", 0L) > 10, "the JVM's own events are there\n" + r.format());
        assertEquals(r.eventCounts.get("kfr.OffCpu"), new JmcRead(file).count("kfr.OffCpu"), "JMC reads it all");
        try (var files = Files.list(file.getParent())) {
            assertEquals(List.of(file), files.toList(), "no temporary file left next to the output");
        }
    }

    private static JvmRun.Result runWith(String options) throws Exception {
        JvmRun.Result r = JvmRun.on(Jdk.JDK17).agent(options).main(Sleepy.class).run(60);
        assertEquals(0, r.exitCode(), r.describe());
        assertTrue(r.stdout().contains("WORKLOAD-DONE"), "the JVM ran on\n" + r.describe());
        assertFalse(r.stderr().contains("Exception"), "no stack trace\n" + r.describe());
        return r;
    }

    private static void assertOneLine(JvmRun.Result r, String problem, String fix) {
        List<String> lines = r.kfrLines();
        assertEquals(1, lines.size(), "exactly one kfr line\n" + r.describe());
        assertTrue(lines.get(0).contains(problem) && lines.get(0).contains(fix), lines.get(0));
    }
}
