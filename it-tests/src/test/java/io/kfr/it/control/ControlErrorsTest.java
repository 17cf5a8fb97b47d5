package io.kfr.it.control;

import io.kfr.it.support.Cli;
import io.kfr.it.support.Jdk;
import io.kfr.it.support.JvmRun;
import io.kfr.it.support.ReadBack;
import io.kfr.it.support.WorkloadClasses;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the control commands say when they cannot do their job: one line "kfr: ..." naming the
 * problem and the way out, exit code 1, no stack trace, and the target JVM runs on.
 */
class ControlErrorsTest {
    /** Debian's nobody/nogroup. */
    private static final int NOBODY = 65534;

    @Test
    void wrongPid() {
        long pid = 4_000_000;
        while (Files.exists(Path.of("/proc", Long.toString(pid)))) {
            pid++;
        }
        assertOneLine(Cli.inProcess("start", Long.toString(pid), "offcpu"), "no process " + pid);
        assertOneLine(Cli.inProcess("status", "12ab"), "not a process id: '12ab'");
    }

    @Test
    void notAJvm() throws Exception {
        Process sleep = new ProcessBuilder("sleep", "60").start();
        try {
            assertOneLine(Cli.inProcess("start", Long.toString(sleep.pid()), "offcpu"),
                    "process " + sleep.pid() + " (/usr/bin/sleep) is not a Java VM");
            assertTrue(sleep.isAlive());
        } finally {
            sleep.destroyForcibly().waitFor();
        }
    }

    @Test
    void badOptionsLoadNothing() throws Exception {
        try (TargetJvm t = TargetJvm.on(Jdk.JDK17).start()) {
            String pid = Long.toString(t.pid());
            assertOneLine(Cli.inProcess("start", pid, "offcpu,bogus=1"), "unknown option 'bogus'");
            assertOneLine(Cli.inProcess("start", pid, "file=/nonexistent-kfr-dir/x.jfr"), "does not exist");
            assertOneLine(Cli.inProcess("status", pid), "kfr is not loaded in JVM " + pid);
            assertFalse(Files.exists(Path.of("/tmp/.kfr-0/" + pid + ".sock")), "nothing was loaded");
            assertOneLine(Cli.inProcess("start", pid, "offcpu"), null);
            assertOneLine(Cli.inProcess("dump", pid, "/nonexistent-kfr-dir/d.jfr"), "directory /nonexistent-kfr-dir does not exist");
            assertOneLine(Cli.inProcess("stop", pid), null);
            assertTrue(t.process.isAlive());
            assertFalse(t.stderr().contains("Exception"), t.describe());
        }
    }

    @Test
    void attachDisabled() throws Exception {
        try (TargetJvm t = TargetJvm.on(Jdk.JDK17).jvmArg("-XX:+DisableAttachMechanism").start()) {
            assertOneLine(Cli.inProcess("start", Long.toString(t.pid()), "offcpu"),
                    "was started with -XX:+DisableAttachMechanism");
            assertTrue(t.process.isAlive());
            assertFalse(Files.readString(t.log).contains("Full thread dump"), "not signalled: " + t.describe());
        }
    }

    @Test
    void dynamicAgentLoadingDisallowed() throws Exception {
        try (TargetJvm t = TargetJvm.on(Jdk.JDK25).jvmArg("-XX:-EnableDynamicAgentLoading").start()) {
            assertOneLine(Cli.inProcess("start", Long.toString(t.pid()), "offcpu"),
                    "does not allow loading agents (-XX:-EnableDynamicAgentLoading); restart it with");
            assertTrue(t.process.isAlive());
            assertFalse(t.stderr().contains("Exception"), t.describe());
        }
    }

    /**
     * The JVM exits while commands keep coming (status and dump in a loop through its exit): each
     * either works or fails with one line; afterwards the answer is "no process".
     */
    @Test
    void jvmExitsDuringCommands() throws Exception {
        Path dir = Files.createTempDirectory("kfr-it-control-exiting");
        // 8 s: start must finish well before the exit, and it includes the Java frames self-test (a
        // second BPF program load): 2-5 s for start on a busy 2-CPU machine
        try (TargetJvm t = TargetJvm.on(Jdk.JDK17).lifetime(8).start()) {
            String pid = Long.toString(t.pid());
            assertEquals(0, Cli.inProcess("start", pid, "offcpu,file=" + dir.resolve("at-exit.jfr")).exitCode());
            int ok = 0;
            int failed = 0;
            java.util.Set<String> reasons = new java.util.TreeSet<>();
            for (int i = 0; t.process.isAlive() || i < 2; i++) {
                Cli.Result r = i % 2 == 0 ? Cli.inProcess("status", pid)
                        : Cli.inProcess("dump", pid, dir.resolve("d.jfr").toString());
                if (r.exitCode() == 0) {
                    ok++;
                } else {
                    failed++;
                    assertEquals(1, r.kfrLines().size(), r.toString());
                    assertEquals(r.kfrLines().get(0), r.stderr().strip(), r.toString());
                    reasons.add(r.kfrLines().get(0).replaceAll("[0-9]+", "N"));
                }
                if (!t.process.isAlive()) {
                    i = Math.max(i, 2) + 1; // two more after the exit
                }
                Thread.sleep(20);
            }
            System.out.println("control exit race: " + ok + " commands done, " + failed + " failed with " + reasons);
            assertTrue(ok > 0 && failed > 0, "commands before and after the exit");
            assertOneLine(Cli.inProcess("status", pid), "no process " + pid);
            assertEquals(3, t.waitFor(10));
            assertFalse(t.stderr().contains("Exception"), t.describe());
            assertTrue(ReadBack.read(dir.resolve("at-exit.jfr")).eventCounts.getOrDefault("kfr.OffCpu", 0L) > 0);
        } finally {
            ControlCommandsTest.deleteTree(dir);
        }
    }

    /** A root JVM, and kfr run as nobody: says whose JVM it is and how to run kfr as that user. */
    @Test
    void anotherUsersJvm() throws Exception {
        Path dir = nobodyDir();
        try (TargetJvm t = TargetJvm.on(Jdk.JDK17).start()) {
            Cli.Result r = Cli.jar(Jdk.JDK17, dir.resolve("kfr-agent.jar"), NOBODY, "start", Long.toString(t.pid()), "offcpu");
            assertOneLine(r, "process " + t.pid() + " belongs to user root; run kfr as root, e.g. sudo -u root java -jar");
            assertOneLine(Cli.jar(Jdk.JDK17, dir.resolve("kfr-agent.jar"), NOBODY, "stop", Long.toString(t.pid())),
                    "belongs to user root");
            assertTrue(t.process.isAlive());
            assertEquals("", t.stderr(), "the target heard nothing");
        } finally {
            ControlCommandsTest.deleteTree(dir);
        }
    }

    /**
     * A JVM of nobody (no capabilities), kfr started into it by nobody: attaching works, the
     * collectors cannot load; the reason is one line in the command's output and in the JVM's
     * log, and the JVM runs on.
     */
    @Test
    void missingPrivileges() throws Exception {
        Path dir = nobodyDir();
        try (TargetJvm t = TargetJvm.on(Jdk.JDK17).asUser(NOBODY).classpath(dir.resolve("classes")).start()) {
            String pid = Long.toString(t.pid());
            Path jar = dir.resolve("kfr-agent.jar");
            Cli.Result r = Cli.jar(Jdk.JDK17, jar, NOBODY, "start", pid, "offcpu");
            assertOneLine(r, "CAP_BPF");
            assertTrue(r.stderr().contains("(kfr not started)"), r.toString());
            r = Cli.jar(Jdk.JDK17, jar, NOBODY, "start", pid, "cpu");
            assertOneLine(r, "perf_event_paranoid");
            r = Cli.jar(Jdk.JDK17, jar, NOBODY, "status", pid);
            assertEquals(0, r.exitCode(), r.toString());
            assertEquals("pid " + pid + ": not recording", r.stdout().trim());
            Thread.sleep(300);
            assertTrue(t.process.isAlive(), "the JVM runs on");
            String log = t.stderr();
            assertTrue(log.lines().anyMatch(l -> l.startsWith("kfr: ") && l.contains("CAP_BPF")), "in the JVM's log too\n" + log);
            assertFalse(log.contains("Exception") || log.contains("\tat "), "no stack trace\n" + log);
        } finally {
            ControlCommandsTest.deleteTree(dir);
        }
    }

    /**
     * kfr's socket directory was made by someone else (here: root made nobody's): the agent does
     * not use it, says so in one line, and the command line refuses it too.
     */
    @Test
    void unsafeSocketDirectory() throws Exception {
        Path dir = nobodyDir();
        Path sockets = Path.of("/tmp/.kfr-" + NOBODY);
        Path aside = Path.of("/tmp/.kfr-" + NOBODY + "-aside-" + ProcessHandle.current().pid());
        boolean moved = Files.exists(sockets);
        if (moved) {
            Files.move(sockets, aside);
        }
        Files.createDirectory(sockets, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        try (TargetJvm t = TargetJvm.on(Jdk.JDK17).asUser(NOBODY).classpath(dir.resolve("classes"))
                .jvmArg("-javaagent:" + dir.resolve("kfr-agent.jar") + "=offcpu").start()) {
            Thread.sleep(300);
            assertTrue(t.stderr().lines().anyMatch(l -> l.equals("kfr: control channel off: " + sockets
                    + " belongs to uid 0, not " + NOBODY + "; remove it (kfr status/dump/stop cannot reach this JVM)")),
                    t.describe());
            Cli.Result r = Cli.jar(Jdk.JDK17, dir.resolve("kfr-agent.jar"), NOBODY, "status", Long.toString(t.pid()));
            assertOneLine(r, "kfr's control directory is not safe to use: " + sockets + " belongs to uid 0, not " + NOBODY);
            assertTrue(t.process.isAlive());
            assertFalse(t.stderr().contains("Exception"), t.describe());
        } finally {
            Files.delete(sockets);
            if (moved) {
                Files.move(aside, sockets);
            }
            ControlCommandsTest.deleteTree(dir);
        }
    }

    /** The agent jar and the workload classes where nobody can read them. */
    private static Path nobodyDir() throws Exception {
        Path dir = Files.createTempDirectory("kfr-it-control-nobody", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwxr-xr-x")));
        Files.copy(JvmRun.AGENT_JAR, dir.resolve("kfr-agent.jar"));
        WorkloadClasses.copyTo(dir, io.kfr.it.support.workload.Steady.class);
        try (var tree = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) tree::iterator) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
        return dir;
    }

    /** Exit 1 and exactly one line "kfr: ..." containing {@code problem}; with null: success (exit 0, no kfr line). */
    private static void assertOneLine(Cli.Result r, String problem) {
        if (problem == null) {
            assertEquals(0, r.exitCode(), r.toString());
            assertEquals(0, r.kfrLines().size(), r.toString());
            return;
        }
        assertEquals(1, r.exitCode(), r.toString());
        assertEquals(1, r.kfrLines().size(), "one line\n" + r);
        assertEquals(r.kfrLines().get(0), r.stderr().strip(), "and nothing else\n" + r);
        assertTrue(r.kfrLines().get(0).contains(problem), r.toString());
    }
}
