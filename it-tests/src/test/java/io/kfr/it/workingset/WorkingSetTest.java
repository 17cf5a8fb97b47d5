package io.kfr.it.workingset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kfr.collectors.workingset.FileSet;
import io.kfr.collectors.workingset.PrefetchNative;
import io.kfr.collectors.workingset.WorkingSet;
import io.kfr.collectors.workingset.WorkingSetFormat;
import io.kfr.it.support.Jdk;
import io.kfr.it.support.JvmRun;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * workingset=<file> on real JVMs: the first start records (its read of a cold file is a
 * kfr.PageCacheMiss, the file is in kfr.WorkingSet and in the saved set, with libjvm), the file is
 * made cold again, and the second start with the same option prefetches it: its read misses
 * nothing. Then `kfr prefetch` and `kfr run` with the saved set.
 */
class WorkingSetTest {
    private static final int PAGES = 1024; // 4 MB

    @TempDir
    Path dir;

    static List<RecordedEvent> events(Path jfr, String type) throws Exception {
        List<RecordedEvent> out = new ArrayList<>();
        for (RecordedEvent e : RecordingFile.readAllEvents(jfr)) {
            if (e.getEventType().getName().equals(type)) {
                out.add(e);
            }
        }
        return out;
    }

    static List<RecordedEvent> of(List<RecordedEvent> events, Path file) {
        return events.stream().filter(e -> file.toString().equals(e.getString("file"))).toList();
    }

    @ParameterizedTest
    @MethodSource("io.kfr.it.support.Jdk#everyTest")
    void recordsAStartAndPrefetchesTheNext(Jdk jdk) throws Exception {
        assertNull(PrefetchNative.load());
        Path config = dir.resolve("config.bin");
        byte[] b = new byte[PAGES * 4096];
        new Random(7).nextBytes(b);
        Files.write(config, b);
        try (FileChannel ch = FileChannel.open(config, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Path ws = dir.resolve("app.ws");

        assertEquals(0, PrefetchNative.evict(config.toString()));
        Path jfr1 = dir.resolve("first.jfr");
        Path output = dir.resolve("output.bin");
        JvmRun.Result r1 = JvmRun.on(jdk).agent("workingset=" + ws + ",file=" + jfr1)
                .main(ConfigReader.class, config.toString(), "6000", "2000", output.toString()).run(120);
        assertEquals(0, r1.exitCode(), r1.describe());
        // what the JVM wrote is its output, not a read: no misses for it, counted as written
        assertEquals(List.of(), of(events(jfr1, "kfr.PageCacheMiss"), output), "pages a write added are not misses");
        RecordedEvent stats1 = events(jfr1, "kfr.CollectorStatistics").stream()
                .filter(e -> "workingset".equals(e.getString("collector"))).reduce((a, x) -> x).orElseThrow();
        assertTrue(stats1.getLong("writeAdds") >= 64, "the output's 64 pages counted as written: " + stats1);
        List<RecordedEvent> misses1 = of(events(jfr1, "kfr.PageCacheMiss"), config);
        assertTrue(misses1.stream().mapToLong(e -> e.getLong("pages")).sum() >= PAGES / 2,
                "the first start read the cold file from disk: " + misses1.size() + " misses\n" + r1.describe());
        assertTrue(misses1.stream().allMatch(e -> "main".equals(e.getThread("eventThread").getJavaName())),
                "by the thread that read it: " + misses1.stream().map(e -> e.getThread("eventThread").getJavaName() + "/"
                        + e.getThread("eventThread").getOSName()).distinct().toList());
        List<RecordedEvent> set1 = of(events(jfr1, "kfr.WorkingSet"), config);
        assertEquals(1, set1.size(), "one kfr.WorkingSet event for the file");
        assertTrue(set1.get(0).getLong("pages") >= PAGES && set1.get(0).getLong("missedPages") >= PAGES / 2, set1.get(0).toString());
        WorkingSet saved = WorkingSetFormat.read(ws);
        FileSet f = saved.files().stream().filter(x -> x.path().equals(config.toString())).findFirst()
                .orElseThrow(() -> new AssertionError("not in the saved set"));
        assertEquals(PAGES, f.pages());
        assertTrue(saved.files().stream().anyMatch(x -> x.path().endsWith("/libjvm.so")), "libjvm.so in the saved set");
        // files the JVM wrote while it started (its output, its perf data file) are not prefetched next time
        assertTrue(saved.files().stream().noneMatch(x -> x.path().equals(output.toString()) || x.path().contains("/hsperfdata_")),
                "no file the JVM wrote in the saved set: " + saved.files().stream().map(FileSet::path).toList());

        assertEquals(0, PrefetchNative.evict(config.toString()));
        Path jfr2 = dir.resolve("second.jfr");
        JvmRun.Result r2 = JvmRun.on(jdk).agent("workingset=" + ws + ",file=" + jfr2)
                .main(ConfigReader.class, config.toString(), "6000", "2000").run(120);
        assertEquals(0, r2.exitCode(), r2.describe());
        assertTrue(r2.stderr().contains("kfr prefetch: "), "the agent says what it prefetched\n" + r2.describe());
        List<RecordedEvent> misses2 = of(events(jfr2, "kfr.PageCacheMiss"), config);
        long missed1 = misses1.stream().mapToLong(e -> e.getLong("pages")).sum();
        long missed2 = misses2.stream().mapToLong(e -> e.getLong("pages")).sum();
        // the measure of the recorded set against the truth: at most 10% of the first start's misses
        assertTrue(missed2 * 10 <= missed1, "the second start found the file prefetched: it still read " + missed2
                + " pages from disk, the first " + missed1 + "\n" + r2.describe());
        List<RecordedEvent> set2 = of(events(jfr2, "kfr.WorkingSet"), config);
        assertEquals(1, set2.size(), "the second start read the file too\n" + r2.describe());
        assertEquals(missed2, set2.get(0).getLong("missedPages"));

        // before the JVM: kfr prefetch, then kfr run, which prefetches and becomes the program
        assertEquals(0, PrefetchNative.evict(config.toString()));
        Process p = new ProcessBuilder(jdk.java().toString(), "-jar", JvmRun.AGENT_JAR.toString(), "prefetch", ws.toString(),
                "--method=populate").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertEquals(PAGES, PrefetchNative.resident(config.toString(), new long[] {0, (long) PAGES * 4096}), out);

        assertEquals(0, PrefetchNative.evict(config.toString()));
        Process run = new ProcessBuilder(jdk.java().toString(), "-jar", JvmRun.AGENT_JAR.toString(), "run", ws.toString(),
                "--method=populate", "--quiet", "--", jdk.java().toString(), "-cp", Path.of("target/test-classes").toAbsolutePath().toString(),
                ConfigReader.class.getName(), config.toString(), "0").redirectErrorStream(true).start();
        String runOut = new String(run.getInputStream().readAllBytes());
        assertTrue(run.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, run.exitValue(), runOut);
        assertTrue(runOut.contains("checksum " + checksum(b)), "the program ran in kfr's place: " + runOut);
        assertEquals(PAGES, PrefetchNative.resident(config.toString(), new long[] {0, (long) PAGES * 4096}));
    }

    /** `kfr workingset save <pid>` ends the window of a running JVM: the set is there long before its 10 minutes. */
    @ParameterizedTest
    @MethodSource("io.kfr.it.support.Jdk#everyTest")
    void saveEndsTheWindowOfARunningJvm(Jdk jdk) throws Exception {
        Path config = dir.resolve("config.bin");
        Files.write(config, new byte[64 * 4096]);
        Path ws = dir.resolve("running.ws");
        Process jvm = new ProcessBuilder(jdk.java().toString(), "-javaagent:" + JvmRun.AGENT_JAR + "=workingset=" + ws
                + ",workingset.window=600s", "-cp", Path.of("target/test-classes").toAbsolutePath().toString(),
                ConfigReader.class.getName(), config.toString(), "6000", "120000").redirectErrorStream(true).start();
        try {
            java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(jvm.getInputStream()));
            StringBuilder seen = new StringBuilder();
            for (String line; (line = out.readLine()) != null && !line.startsWith("checksum "); ) {
                seen.append(line).append('\n');
            }
            Thread.sleep(1500); // the read's records reach the collector at its next poll (the read waited 6 s for the programs to attach: 1.5-3 s on a busy machine)
            assertTrue(!Files.exists(ws), "no set before the window ends");
            Process save = new ProcessBuilder(jdk.java().toString(), "-jar", JvmRun.AGENT_JAR.toString(), "workingset", "save",
                    Long.toString(jvm.pid())).redirectErrorStream(true).start();
            String said = new String(save.getInputStream().readAllBytes());
            assertTrue(save.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, save.exitValue(), said + seen);
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (!Files.exists(ws) && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertTrue(Files.exists(ws), "saved while the JVM runs: " + said);
            assertTrue(jvm.isAlive());
            assertTrue(WorkingSetFormat.read(ws).files().stream().anyMatch(f -> f.path().equals(config.toString())),
                    "the file it read is in the set");
        } finally {
            jvm.destroyForcibly().waitFor();
        }
    }

    private static long checksum(byte[] b) {
        long sum = 0;
        for (byte x : b) {
            sum += x;
        }
        return sum;
    }
}
