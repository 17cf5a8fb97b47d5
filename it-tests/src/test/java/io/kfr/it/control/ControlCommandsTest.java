package io.kfr.it.control;

import io.kfr.it.support.Cli;
import io.kfr.it.support.Jcmd;
import io.kfr.it.support.Jdk;
import io.kfr.it.support.JmcRead;
import io.kfr.it.support.JvmRun;
import io.kfr.it.support.ReadBack;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * list, start, status, dump and stop on running JVMs (JDK 17 and 25) that were started without
 * kfr: loaded once through the attach API, then driven through kfr's control channel. Dumps and
 * file= outputs are read back by the JDK's RecordingFile and JMC's parser.
 */
class ControlCommandsTest {

    @Test
    void everyCommandOnJdk17() throws Exception {
        lifecycle(Jdk.JDK17);
    }

    @Test
    void everyCommandOnJdk25() throws Exception {
        lifecycle(Jdk.JDK25);
    }

    private static void lifecycle(Jdk jdk) throws Exception {
        Path dir = Files.createTempDirectory("kfr-it-control");
        try (TargetJvm t = TargetJvm.on(jdk).start()) {
            String pid = Long.toString(t.pid());
            Cli.Result r = Cli.inProcess("status", pid);
            assertEquals(1, r.exitCode(), r.toString());
            assertTrue(r.stderr().contains("kfr is not loaded in JVM " + pid), r.toString());
            assertTrue(listLine(pid).endsWith("-          " + "io.kfr.it.support.workload.Steady"), listLine(pid));

            r = Cli.inProcess("start", pid, "offcpu,cpu");
            assertEquals(0, r.exitCode(), r + "\n" + t.describe());
            assertTrue(r.stdout().contains("recording since"), r.toString());
            assertTrue(listLine(pid).contains(" recording "), listLine(pid));
            Thread.sleep(1500);

            r = Cli.inProcess("status", pid);
            assertEquals(0, r.exitCode(), r.toString());
            assertTrue(r.stdout().contains("pid " + pid + ": recording since"), r.toString());
            assertTrue(r.stdout().contains("options: offcpu,cpu"), r.toString());
            assertTrue(r.stdout().matches("(?s).*events: .*kfr.OffCpu=[1-9].*"), r.toString());
            assertTrue(r.stdout().contains("collector offcpu: lost=0 dropped=0"), r.toString());
            assertTrue(r.stdout().contains("collector cpu: lost="), r.toString());

            Path first = dir.resolve("first.jfr");
            r = Cli.inProcess("dump", pid, first.toString());
            assertEquals(0, r.exitCode(), r.toString());
            ReadBack d1 = ReadBack.read(first);
            assertTrue(d1.eventCounts.getOrDefault("kfr.OffCpu", 0L) > 10, d1.eventCounts.toString());
            assertTrue(d1.eventCounts.getOrDefault("kfr.CpuSample", 0L) > 10, d1.eventCounts.toString());
            assertTrue(d1.eventCounts.getOrDefault("jdk.ThreadSleep", 0L) > 10, "the JVM's own events: " + d1.eventCounts);
            assertEquals(d1.eventCounts.get("kfr.OffCpu"), new JmcRead(first).count("kfr.OffCpu"), "JMC reads it all");
            assertTrue(withWorkloadFrames(first, "kfr.OffCpu") > 10, "Java frames in an attached JVM's stacks");
            assertTrue(withWorkloadFrames(first, "kfr.CpuSample") > 0, "and in its CPU samples");

            Thread.sleep(500);
            Path second = dir.resolve("second.jfr");
            assertEquals(0, Cli.inProcess("dump", pid, second.toString()).exitCode());
            ReadBack d2 = ReadBack.read(second);
            assertTrue(d2.eventCounts.get("kfr.OffCpu") > d1.eventCounts.get("kfr.OffCpu"),
                    "recording went on after the dump: " + d1.eventCounts + " then " + d2.eventCounts);

            r = Cli.inProcess("start", pid, "offcpu,cpu");
            assertEquals(0, r.exitCode(), "same options again: nothing to do\n" + r);
            assertTrue(r.stdout().contains("nothing changed"), r.toString());
            r = Cli.inProcess("start", pid, "offcpu");
            assertEquals(1, r.exitCode(), r.toString());
            assertEquals(1, r.kfrLines().size(), r.toString());
            assertTrue(r.kfrLines().get(0).startsWith("kfr: already recording since"), r.toString());
            assertTrue(r.stderr().contains("with options 'offcpu,cpu'; stop first"), r.toString());

            r = Cli.inProcess("stop", pid);
            assertEquals(0, r.exitCode(), r.toString());
            ProcessResources after = ControlLeakTest.settled(t.pid(), null);
            assertEquals(0, after.bpfAndPerf(), "everything released: " + after);
            r = Cli.inProcess("status", pid);
            assertEquals("pid " + pid + ": not recording", r.stdout().trim(), r.toString());
            assertTrue(listLine(pid).contains(" loaded "), listLine(pid));
            r = Cli.inProcess("dump", pid, dir.resolve("none.jfr").toString());
            assertEquals(1, r.exitCode(), r.toString());
            assertTrue(r.stderr().contains("not recording"), r.toString());
            r = Cli.inProcess("stop", pid);
            assertEquals(1, r.exitCode(), r.toString());

            // again, through the channel: the agent is not loaded a second time, and stop releases as much
            assertEquals(0, Cli.inProcess("start", pid, "offcpu,cpu").exitCode());
            assertEquals(0, Cli.inProcess("dump", pid, second.toString()).exitCode());
            assertEquals(0, Cli.inProcess("stop", pid).exitCode());
            ProcessResources again = ControlLeakTest.settled(t.pid(), after);
            System.out.printf("control lifecycle %s: after the first stop %s; after the second %s%n", jdk, after, again);
            assertEquals(after.fds(), again.fds(), after + " -> " + again);
            assertEquals(after.threads(), again.threads(), after + " -> " + again);
            assertEquals(0, again.bpfAndPerf(), again.toString());
            assertTrue(t.process.isAlive());
            String stderr = t.stderr();
            assertFalse(stderr.contains("Exception") || stderr.contains("\tat "), "no stack trace\n" + t.describe());
            assertEquals(1, stderr.lines().filter(l -> l.contains("already recording since")).count(),
                    "the error is in the target's log too\n" + t.describe());
        } finally {
            deleteTree(dir);
        }
    }

    /** The whole way a user goes: java -jar kfr-agent.jar (on JDK 25) against a JDK 17 JVM, with file=. */
    @Test
    void endToEndThroughTheJar() throws Exception {
        Path dir = Files.createTempDirectory("kfr-it-control-jar");
        try (TargetJvm t = TargetJvm.on(Jdk.JDK17).start()) {
            String pid = Long.toString(t.pid());
            Path file = dir.resolve("at-stop.jfr");
            Cli.Result r = Cli.jar(Jdk.JDK25, JvmRun.AGENT_JAR, null, "list");
            assertEquals(0, r.exitCode(), r.toString());
            assertTrue(r.stdout().lines().anyMatch(l -> l.startsWith(pid + " ") && l.endsWith("io.kfr.it.support.workload.Steady")), r.toString());
            r = Cli.jar(Jdk.JDK25, JvmRun.AGENT_JAR, null, "start", pid, "offcpu,file=" + file);
            assertEquals(0, r.exitCode(), r + "\n" + t.describe());
            Thread.sleep(1000);
            r = Cli.jar(Jdk.JDK25, JvmRun.AGENT_JAR, null, "status", pid);
            assertEquals(0, r.exitCode(), r.toString());
            assertTrue(r.stdout().contains("file at stop: " + file), r.toString());
            Path dump = dir.resolve("dump.jfr");
            r = Cli.jar(Jdk.JDK25, JvmRun.AGENT_JAR, null, "dump", pid, dump.toString());
            assertEquals(0, r.exitCode(), r.toString());
            assertTrue(ReadBack.read(dump).eventCounts.getOrDefault("kfr.OffCpu", 0L) > 0);
            r = Cli.jar(Jdk.JDK25, JvmRun.AGENT_JAR, null, "stop", pid);
            assertEquals(0, r.exitCode(), r.toString());
            assertTrue(r.stdout().contains("wrote " + file), r.toString());
            ReadBack f = ReadBack.read(file);
            assertTrue(f.eventCounts.getOrDefault("kfr.OffCpu", 0L) > 10, f.eventCounts.toString());
            assertTrue(f.eventCounts.getOrDefault("jdk.ThreadSleep", 0L) > 10, f.eventCounts.toString());
            assertEquals(f.eventCounts.get("kfr.OffCpu"), new JmcRead(file).count("kfr.OffCpu"));
            assertTrue(t.process.isAlive(), "the JVM runs on after stop");
        } finally {
            deleteTree(dir);
        }
    }

    /** A recording started by attach with file=, and the JVM exits: the file is complete. */
    @Test
    void jvmExitsDuringRecording() throws Exception {
        Path dir = Files.createTempDirectory("kfr-it-control-exit");
        Path file = dir.resolve("exit.jfr");
        try (TargetJvm t = TargetJvm.on(Jdk.JDK17).lifetime(4).start()) {
            Cli.Result r = Cli.inProcess("start", Long.toString(t.pid()), "offcpu,cpu,file=" + file);
            assertEquals(0, r.exitCode(), r.toString());
            assertEquals(3, t.waitFor(30), "the workload exits by itself\n" + t.describe());
            assertFalse(t.stderr().contains("Exception"), t.describe());
            ReadBack f = ReadBack.read(file);
            assertTrue(f.eventCounts.getOrDefault("kfr.OffCpu", 0L) > 10, f.eventCounts.toString());
            assertTrue(f.eventCounts.getOrDefault("kfr.CpuSample", 0L) > 10, f.eventCounts.toString());
            assertTrue(f.eventCounts.getOrDefault("jdk.ThreadSleep", 0L) > 10, f.eventCounts.toString());
            assertEquals(f.eventCounts.get("kfr.OffCpu"), new JmcRead(file).count("kfr.OffCpu"), "JMC reads it all");
            try (var files = Files.list(dir)) {
                assertEquals(List.of(file), files.toList(), "no temporary file left next to the output");
            }
            assertFalse(Files.exists(Path.of("/tmp/.kfr-0/" + t.pid() + ".sock")), "socket removed at exit");
        } finally {
            deleteTree(dir);
        }
    }

    /**
     * The user's own recording (-XX:StartFlightRecording): dump and file= hold its events followed
     * by kfr's chunk, and after kfr stops it still runs with the same settings.
     */
    @Test
    void userRecordingIsKeptAndShared() throws Exception {
        Path dir = Files.createTempDirectory("kfr-it-control-user");
        try (TargetJvm t = TargetJvm.on(Jdk.JDK17).jvmArg("-XX:StartFlightRecording=name=mine,settings=profile")
                .start()) {
            String pid = Long.toString(t.pid());
            String before = userRecording(t.pid());
            assertTrue(before.contains("name=mine") && before.contains("(running)"), before);
            Path file = dir.resolve("at-stop.jfr");
            assertEquals(0, Cli.inProcess("start", pid, "offcpu,file=" + file).exitCode());
            Thread.sleep(1500);
            Path dump = dir.resolve("dump.jfr");
            assertEquals(0, Cli.inProcess("dump", pid, dump.toString()).exitCode());
            assertEquals(0, Cli.inProcess("stop", pid).exitCode());
            for (Path f : List.of(dump, file)) {
                List<String> types = typesInFileOrder(f);
                int firstKfr = types.indexOf("kfr.OffCpu");
                int lastJdk = -1;
                for (int i = 0; i < types.size(); i++) {
                    if (types.get(i).startsWith("jdk.")) {
                        lastJdk = i;
                    }
                }
                assertTrue(firstKfr > 0 && firstKfr > lastJdk, f + ": the JVM's events, then kfr's chunk");
                // jdk.ExecutionSample every 10 ms is the profile settings' (the JDK default samples every 20 ms)
                assertTrue(types.stream().filter("jdk.ExecutionSample"::equals).count() > 20,
                        f + ": the user's recording's events");
            }
            assertEquals(before, userRecording(t.pid()), "the user's recording is unchanged");
            assertFalse(t.stderr().contains("Exception"), t.describe());
        } finally {
            deleteTree(dir);
        }
    }

    /** A JVM started with -javaagent: status, dump and stop reach it through the channel, no attach. */
    @Test
    void jvmStartedWithTheAgent() throws Exception {
        Path dir = Files.createTempDirectory("kfr-it-control-premain");
        Path file = dir.resolve("premain.jfr");
        try (TargetJvm t = TargetJvm.on(Jdk.JDK25).jvmArg("-javaagent:" + JvmRun.AGENT_JAR + "=offcpu,file=" + file)
                .start()) {
            String pid = Long.toString(t.pid());
            Thread.sleep(1000);
            Cli.Result r = Cli.inProcess("status", pid);
            assertEquals(0, r.exitCode(), r + "\n" + t.describe());
            assertTrue(r.stdout().contains("options: offcpu,file=" + file), r.toString());
            Path dump = dir.resolve("dump.jfr");
            assertEquals(0, Cli.inProcess("dump", pid, dump.toString()).exitCode());
            assertTrue(ReadBack.read(dump).eventCounts.getOrDefault("kfr.OffCpu", 0L) > 0);
            assertEquals(0, Cli.inProcess("stop", pid).exitCode());
            assertTrue(ReadBack.read(file).eventCounts.getOrDefault("kfr.OffCpu", 0L) > 0);
            assertFalse(t.stderr().contains("Exception"), t.describe());
            assertFalse(t.stderr().contains("Attach Listener"), t.describe());
        } finally {
            deleteTree(dir);
        }
    }

    private static String listLine(String pid) {
        Cli.Result r = Cli.inProcess("list");
        assertEquals(0, r.exitCode(), r.toString());
        return r.stdout().lines().filter(l -> l.startsWith(pid + " ")).findFirst().orElse("(not listed)\n" + r);
    }

    /** The user's recording as {@code jcmd JFR.check verbose=true} shows it: name, limits, state, every setting. */
    private static String userRecording(long pid) throws Exception {
        String out = Jcmd.run(pid, "JFR.check", "verbose=true");
        int start = out.indexOf("Recording 1:");
        int next = out.indexOf("\nRecording ", start + 1);
        return out.substring(start, next < 0 ? out.length() : next).strip();
    }

    private static List<String> typesInFileOrder(Path f) throws Exception {
        List<String> types = new java.util.ArrayList<>();
        try (RecordingFile in = new RecordingFile(f)) {
            while (in.hasMoreEvents()) {
                RecordedEvent e = in.readEvent();
                types.add(e.getEventType().getName());
            }
        }
        return types;
    }

    /** Events of the type whose stack has a frame of the Steady workload's code. */
    private static long withWorkloadFrames(Path f, String type) throws Exception {
        long n = 0;
        try (RecordingFile in = new RecordingFile(f)) {
            while (in.hasMoreEvents()) {
                RecordedEvent e = in.readEvent();
                if (e.getEventType().getName().equals(type) && e.getStackTrace() != null && e.getStackTrace().getFrames()
                        .stream().anyMatch(fr -> fr.isJavaFrame() && fr.getMethod().getType().getName()
                                .startsWith("io.kfr.it.support.workload.Steady"))) {
                    n++;
                }
            }
        }
        return n;
    }

    static void deleteTree(Path dir) throws Exception {
        if (!Files.exists(dir)) {
            return;
        }
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
