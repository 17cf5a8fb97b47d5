package io.kfr.it.control;

import io.kfr.it.support.Jdk;
import io.kfr.it.support.JvmRun;
import io.kfr.it.support.workload.Exiter;
import io.kfr.it.support.workload.Sleepy;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A JVM killed with SIGKILL runs no shutdown hook: it leaves kfr's work directory (next to file=),
 * its libkfr.so copy in java.io.tmpdir and its control socket. The next JVM with kfr removes them;
 * a normal run leaves nothing behind.
 */
class LeftoversTest {
    @Test
    void nextStartRemovesWhatAKilledJvmLeft() throws Exception {
        Path tmp = Files.createTempDirectory("kfr-it-lefttmp");
        Path out = Files.createTempDirectory("kfr-it-leftout");
        Path log = Files.createTempFile("kfr-it-killed", ".log");
        Process p = new ProcessBuilder(Jdk.JDK17.java().toString(), "-Djava.io.tmpdir=" + tmp,
                "-javaagent:" + JvmRun.AGENT_JAR + "=file=" + out.resolve("killed.jfr"),
                "-cp", Path.of("target/test-classes").toAbsolutePath().toString(), Exiter.class.getName(), "wait")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long pid = p.pid();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!Files.readString(log).contains("READY") && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        Thread.sleep(1500);
        Path socket = Path.of("/tmp/.kfr-0/" + pid + ".sock");
        assertTrue(Files.exists(socket), "control socket while it runs\n" + Files.readString(log));
        p.destroyForcibly(); // SIGKILL
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        List<Path> leftTmp = list(tmp);
        List<Path> leftOut = list(out);
        assertTrue(leftTmp.stream().anyMatch(f -> f.getFileName().toString().startsWith("kfr-lib-" + pid + "-")), leftTmp.toString());
        assertTrue(leftOut.stream().anyMatch(f -> f.getFileName().toString().startsWith(".kfr-session-" + pid + "-")), leftOut.toString());
        assertTrue(Files.exists(socket));
        // a dead JVM's spool with events is kept a day for 'kfr recover' (RecoverTest): this one is older
        agedOut(leftOut.stream().filter(f -> f.getFileName().toString().startsWith(".kfr-session-" + pid + "-")).findFirst().get());

        JvmRun.Result next = JvmRun.on(Jdk.JDK17).jvmArg("-Djava.io.tmpdir=" + tmp).agent("file=" + out.resolve("next.jfr"))
                .main(Sleepy.class).run(60);
        assertEquals(0, next.exitCode(), next.describe());
        // JFR's own repository of the killed JVM (yyyy_MM_dd_HH_mm_ss_pid) is the JVM's, not kfr's
        assertEquals(List.of(), list(tmp).stream().filter(f -> !f.getFileName().toString().matches("\\d{4}_\\d\\d_.*")).toList(),
                "the killed JVM's libkfr.so copy is gone, and nothing of the next run stays");
        assertEquals(List.of(out.resolve("next.jfr")), list(out), "the killed JVM's work directory is gone");
        assertFalse(Files.exists(socket), "the killed JVM's socket is gone");
        Files.delete(log);
    }

    /**
     * A dead pid alone is not proof: a JVM in another PID namespace sharing /tmp may have that number.
     * A work directory whose lock someone holds (here: this test's JVM) is kept; once released, it goes.
     */
    @Test
    void aLockedWorkDirectoryIsKept() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Path tmp = Files.createTempDirectory("kfr-it-locked");
        Path other = Files.createDirectory(tmp.resolve("kfr-session-" + gone.pid() + "-1"));
        Files.writeString(other.resolve("kfr-1.spool"), "someone's data");
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(other.resolve(".lock"),
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
             java.nio.channels.FileLock held = ch.lock()) {
            JvmRun.Result r = JvmRun.on(Jdk.JDK17).jvmArg("-Djava.io.tmpdir=" + tmp).agent("").main(Sleepy.class).run(60);
            assertEquals(0, r.exitCode(), r.describe());
            assertTrue(Files.exists(other.resolve("kfr-1.spool")), "a locked directory is someone's: kept");
        }
        JvmRun.Result r = JvmRun.on(Jdk.JDK17).jvmArg("-Djava.io.tmpdir=" + tmp).agent("").main(Sleepy.class).run(60);
        assertEquals(0, r.exitCode(), r.describe());
        assertFalse(Files.exists(other), "unlocked, with its pid gone: removed");
    }

    /** Makes a work directory's files look last written 25 hours ago. */
    private static void agedOut(Path workDir) throws Exception {
        java.nio.file.attribute.FileTime old = java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 25 * 3_600_000L);
        for (Path f : list(workDir)) {
            Files.setLastModifiedTime(f, old);
        }
    }

    private static List<Path> list(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }
}
