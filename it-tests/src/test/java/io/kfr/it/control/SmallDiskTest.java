package io.kfr.it.control;

import io.kfr.it.support.Jdk;
import io.kfr.it.support.JvmRun;
import io.kfr.it.support.ReadBack;
import io.kfr.it.support.workload.SmallHeap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Small and full disks, on real tmpfs mounts (root): a 2 MB java.io.tmpdir, where JFR keeps its
 * repository and kfr used to spool until JFR shut the JVM down; a file= on a file system too small
 * for everything; a file name that fits only without kfr's temporary suffix.
 */
class SmallDiskTest {
    private final List<Path> mounts = new ArrayList<>();

    @AfterEach
    void unmount() throws Exception {
        for (Path m : mounts) {
            sh("umount", m.toString());
        }
    }

    /** 8 threads sleeping 2 ms for 12 s: ~1 MB of kfr events, as much as the tmpdir holds. */
    @Test
    void smallTmpdir() throws Exception {
        Path tmp = mount("tmpdir-2m", "2m");
        Path out = Files.createTempDirectory("kfr-it-smalltmp");
        JvmRun.Result jfr = run(tmp, null, "-XX:StartFlightRecording=filename=" + out.resolve("jfr.jfr"));
        assertTrue(Files.size(out.resolve("jfr.jfr")) > 0, "JFR alone copes\n" + jfr.describe());

        Path file = out.resolve("kfr.jfr");
        JvmRun.Result withFile = run(tmp, "file=" + file);
        assertFalse(withFile.stderr().contains("irrecoverable"), withFile.describe());
        ReadBack back = ReadBack.read(file);
        assertTrue(back.eventCounts.getOrDefault("kfr.OffCpu", 0L) > 1000, "file= keeps kfr's data next to the file, "
                + "not in the small tmpdir\n" + back.format() + "\n" + withFile.describe());

        JvmRun.Result collectOnly = run(tmp, "");
        List<String> stopped = collectOnly.kfrLines().stream().filter(l -> l.contains("stopped keeping events")).toList();
        assertEquals(1, stopped.size(), "one line: the spool stops instead of filling JFR's tmpdir\n" + collectOnly.describe());
        assertTrue(stopped.get(0).contains("MB free"), stopped.get(0));
        try (var left = Files.list(tmp)) {
            assertEquals(List.of(), left.toList(), "nothing left in the tmpdir");
        }
    }

    /**
     * file= on a 3 MB file system that kfr's events overrun (it lost all of kfr's events at exit):
     * the spool stops early enough for the JVM's recording and kfr's chunk to be written, and the
     * exit line says what was not kept.
     */
    @Test
    void fullDiskForFile() throws Exception {
        Path dir = mount("out-3m", "3m");
        Path file = dir.resolve("full.jfr");
        JvmRun.Result r = JvmRun.on(Jdk.JDK17).agent("file=" + file).main(SmallHeap.class, "0", "40").run(180);
        assertEquals(0, r.exitCode(), r.describe());
        assertTrue(r.kfrLines().stream().anyMatch(l -> l.contains("stopped keeping events")), r.describe());
        String last = r.kfrLines().get(r.kfrLines().size() - 1);
        assertTrue(last.contains("wrote " + file), "says where the data is: " + last);
        ReadBack back = ReadBack.read(file);
        assertTrue(back.eventCounts.getOrDefault("jdk.ThreadSleep", 0L) + back.eventCounts.getOrDefault("kfr.OffCpuSummary", 0L) > 0,
                "a valid recording with the JVM's events\n" + back.format());
        assertTrue(back.eventCounts.getOrDefault("kfr.OffCpu", 0L) > 1000, "kfr's events spooled before the disk "
                + "filled are in the file\n" + back.format() + "\n" + r.describe());
        assertTrue(last.contains("events not kept"), "and the line says what was not kept: " + last);
        try (var left = Files.list(dir)) {
            assertEquals(List.of(file), left.toList(), "no temporary files left");
        }
    }

    /** 240 characters pass a plain check but not with the temporary name's ~26: kfr refuses at start. */
    @Test
    void fileNameTooLongForTheTemporaryName() throws Exception {
        Path dir = Files.createTempDirectory("kfr-it-longname");
        Path file = dir.resolve("x".repeat(236) + ".jfr");
        Files.writeString(file, "probe"); // the name itself is legal
        Files.delete(file);
        JvmRun.Result r = JvmRun.on(Jdk.JDK17).agent("file=" + file).main(SmallHeap.class, "0", "1").run(60);
        assertEquals(0, r.exitCode(), r.describe());
        assertEquals(1, r.kfrLines().size(), r.describe());
        assertTrue(r.kfrLines().get(0).contains("name is too long") && r.kfrLines().get(0).contains("kfr not started"),
                r.kfrLines().get(0));
    }

    private static JvmRun.Result run(Path tmpdir, String kfr, String... jvmArgs) throws Exception {
        JvmRun run = JvmRun.on(Jdk.JDK17).jvmArg("-Djava.io.tmpdir=" + tmpdir).main(SmallHeap.class, "0", "12");
        for (String a : jvmArgs) {
            run.jvmArg(a);
        }
        if (kfr != null) {
            run.agent(kfr);
        }
        JvmRun.Result r = run.run(120);
        assertEquals(0, r.exitCode(), r.describe());
        assertTrue(r.stdout().contains("WORKLOAD-DONE"), r.describe());
        return r;
    }

    private Path mount(String name, String size) throws Exception {
        Path m = Path.of("target", name).toAbsolutePath();
        Files.createDirectories(m);
        sh("mount", "-t", "tmpfs", "-o", "size=" + size + ",mode=1777", "tmpfs", m.toString());
        mounts.add(m);
        return m;
    }

    private static void sh(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", cmd) + " failed");
        }
    }
}
