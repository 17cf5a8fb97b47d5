package io.kfr.it.continuous;

import io.kfr.it.support.Cli;
import io.kfr.it.support.Jdk;
import io.kfr.it.support.JmcRead;
import io.kfr.it.support.JvmRun;
import io.kfr.it.support.workload.Sleepy;
import io.kfr.it.support.workload.Steady;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A recording JVM killed with SIGKILL (no shutdown hook: its file= is never written): the next
 * start keeps its spool and says where it is, {@code kfr recover} makes it a file the JDK's jfr
 * tool and JMC read, and {@code kfr merge} puts it together with another JVM recording, from the
 * spool directory or from the recovered file.
 */
class RecoverAndMergeTest {
    @Test
    void killedJvmsSpoolIsRecoveredAndMerged() throws Exception {
        Path out = Files.createTempDirectory("kfr-it-recover");
        Path log = out.resolve("killed.log");
        Process p = new ProcessBuilder(Jdk.JDK17.java().toString(),
                "-javaagent:" + JvmRun.AGENT_JAR + "=file=" + out.resolve("never.jfr"),
                "-cp", Path.of("target/test-classes").toAbsolutePath().toString(), Steady.class.getName(), "120")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!Files.readString(log).contains("READY") && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        Path spool = only(out, ".kfr-session-" + p.pid() + "-");
        // kfr attaches within seconds (more on a loaded machine); its records are on disk within a second
        deadline = System.nanoTime() + 60_000_000_000L;
        while (spoolBytes(spool) < 4096 && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        Thread.sleep(2000);
        p.destroyForcibly(); // SIGKILL
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertTrue(spoolBytes(spool) >= 4096, "the spool holds records: " + Files.readString(log));

        // the next start keeps it (newest dead spool, a day) and says where
        JvmRun.Result next = JvmRun.on(Jdk.JDK17).agent("file=" + out.resolve("next.jfr")).main(Sleepy.class).run(60);
        assertEquals(0, next.exitCode(), next.describe());
        assertTrue(next.kfrLines().stream().anyMatch(l -> l.contains(spool.toString()) && l.contains("recover")),
                "one line says where the dead JVM's events are: " + next.kfrLines());
        assertTrue(Files.isDirectory(spool), "kept for recovery");
        // said once: the start after it keeps the spool and says nothing about it
        JvmRun.Result third = JvmRun.on(Jdk.JDK17).agent("file=" + out.resolve("third.jfr")).main(Sleepy.class).run(60);
        assertEquals(0, third.exitCode(), third.describe());
        assertTrue(third.kfrLines().stream().noneMatch(l -> l.contains(spool.toString())),
                "the dead JVM's spool is announced once: " + third.kfrLines());
        assertTrue(Files.isDirectory(spool), "still kept for recovery");

        Path recovered = out.resolve("recovered.jfr");
        Cli.Result r = Cli.jar(Jdk.JDK17, JvmRun.AGENT_JAR, null, "recover", spool.toString(), recovered.toString());
        assertEquals(0, r.exitCode(), r.toString());
        List<RecordedEvent> events = offCpu(recovered);
        assertTrue(events.size() > 50, events.size() + " events recovered; " + r);
        assertTrue(events.stream().anyMatch(e -> e.getThread() != null && "steady-sleeper".equals(e.getThread().getJavaName())),
                "the sleeper's events, with their thread");
        assertTrue(events.stream().allMatch(e -> e.getStackTrace() != null && !e.getStackTrace().getFrames().isEmpty()),
                "stacks resolve");
        assertEquals(events.size(), new JmcRead(recovered).count("kfr.OffCpu"), "JMC reads the same");
        Cli.Result summary = jfrSummary(recovered);
        assertEquals(0, summary.exitCode(), summary.toString());
        assertTrue(summary.stdout().contains("kfr.OffCpu"), summary.stdout());

        // merge: the next run's recording (next.jfr: the JVM's chunks and kfr's, one clock) with the spool
        Path jvm = out.resolve("next.jfr");
        Path merged = out.resolve("merged.jfr");
        Cli.Result m = Cli.jar(Jdk.JDK17, JvmRun.AGENT_JAR, null, "merge", jvm.toString(), spool.toString(), merged.toString());
        assertEquals(0, m.exitCode(), m.toString());
        long jvmEvents = RecordingFile.readAllEvents(jvm).stream().filter(e -> e.getEventType().getName().startsWith("jdk.")).count();
        List<RecordedEvent> all = RecordingFile.readAllEvents(merged);
        assertEquals(jvmEvents, all.stream().filter(e -> e.getEventType().getName().startsWith("jdk.")).count(), "the JVM's events");
        assertEquals(offCpu(jvm).size() + events.size(), offCpu(merged).size(), "kfr's events of both");
        assertEquals(offCpu(merged).size(), new JmcRead(merged).count("kfr.OffCpu"), "JMC reads the merged file");
        Cli.Result s = jfrSummary(merged);
        assertEquals(0, s.exitCode(), s.toString());
        assertTrue(s.stdout().contains("kfr.OffCpu") && s.stdout().contains("jdk.CPULoad"), s.stdout());
        // on JDK 25's reader the spool's events keep their times: written on the JVM recording's clock
        Process print = new ProcessBuilder(Jdk.JDK25.jfrTool().toString(), "print", "--events", "kfr.OffCpu", merged.toString())
                .redirectErrorStream(true).start();
        String printed = new String(print.getInputStream().readAllBytes());
        assertTrue(print.waitFor(60, TimeUnit.SECONDS));
        String year = String.valueOf(java.time.Year.now().getValue());
        assertTrue(printed.lines().filter(l -> l.contains("startTime = ")).allMatch(l -> l.contains("(" + year + "-")),
                "every event in this year on JDK 25's reader");
        // a file on the same clock (kfr's chunks of a file= of that JVM) is appended as it is
        Path twice = out.resolve("twice.jfr");
        Cli.Result t = Cli.jar(Jdk.JDK17, JvmRun.AGENT_JAR, null, "merge", jvm.toString(), jvm.toString(), twice.toString());
        assertEquals(0, t.exitCode(), t.toString());
        assertEquals(2L * offCpu(jvm).size(), offCpu(twice).size());
        // the recovered file is on a clock of its own: refused in one line (newer readers would misplace it)
        Cli.Result other = Cli.jar(Jdk.JDK17, JvmRun.AGENT_JAR, null, "merge", jvm.toString(), recovered.toString(),
                out.resolve("refused.jfr").toString());
        assertEquals(1, other.exitCode(), other.toString());
        assertEquals(1, other.stderr().lines().count(), other.toString());
        assertTrue(other.stderr().contains("another clock") && other.stderr().contains("spool directory"), other.toString());
        assertTrue(!Files.exists(out.resolve("refused.jfr")));
        // bad input: one line, non-zero
        Cli.Result bad = Cli.jar(Jdk.JDK17, JvmRun.AGENT_JAR, null, "recover", out.resolve("nothing").toString(), out.resolve("x.jfr").toString());
        assertEquals(1, bad.exitCode(), bad.toString());
        assertEquals(1, bad.stderr().lines().count(), bad.toString());
        Cli.Result badMerge = Cli.jar(Jdk.JDK17, JvmRun.AGENT_JAR, null, "merge", log.toString(), spool.toString(), out.resolve("y.jfr").toString());
        assertEquals(1, badMerge.exitCode(), badMerge.toString());
        assertEquals(1, badMerge.stderr().lines().count(), badMerge.toString());
        deleteTree(out);
    }

    private static Cli.Result jfrSummary(Path file) throws Exception {
        Process s = new ProcessBuilder(Jdk.JDK25.jfrTool().toString(), "summary", file.toString()).start();
        String stdout = new String(s.getInputStream().readAllBytes());
        String stderr = new String(s.getErrorStream().readAllBytes());
        assertTrue(s.waitFor(60, TimeUnit.SECONDS));
        return new Cli.Result(s.exitValue(), stdout, stderr);
    }

    private static List<RecordedEvent> offCpu(Path file) throws Exception {
        return RecordingFile.readAllEvents(file).stream().filter(e -> e.getEventType().getName().equals("kfr.OffCpu"))
                .collect(Collectors.toList());
    }

    private static long spoolBytes(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(f -> f.getFileName().toString().endsWith(".spool")).mapToLong(f -> f.toFile().length()).sum();
        }
    }

    private static Path only(Path dir, String prefix) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> found = s.filter(f -> f.getFileName().toString().startsWith(prefix)).toList();
            assertEquals(1, found.size(), found.toString());
            return found.get(0);
        }
    }

    private static void deleteTree(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
