package io.kfr.it.workingset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kfr.collectors.workingset.PrefetchNative;
import io.kfr.it.support.Jdk;
import io.kfr.it.support.JvmRun;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Java frames of kfr.PageCacheMiss against ground truth: ColdFileReader reads one evicted file with
 * FileChannel.read in readColdFile (the miss happens in a system call: walked from the thread's
 * anchor) and faults in another through a mapping in faultColdMapping (in Java code: walked from the
 * registers it entered the kernel with). At least 90% of each file's misses name that method, called
 * from main; none names a method of ColdFileReader that did not cause it. Also: the walk's cost per
 * miss, from the collector's statistics.
 */
class PageCacheMissJavaFramesTest {
    private static final int PAGES = 1024; // 4 MB each
    private static final String READER = ColdFileReader.class.getName();

    @TempDir
    Path dir;

    @ParameterizedTest
    @MethodSource("io.kfr.it.support.Jdk#everyTest")
    void missesNameTheJavaMethodThatCausedThem(Jdk jdk) throws Exception {
        assertNull(PrefetchNative.load());
        Path read = cold("read.bin", 1);
        Path mapped = cold("mapped.bin", 2);
        Path jfr = dir.resolve("frames.jfr");
        // 8 s: the start-up self-test of Java frames has passed and turned them on by then
        JvmRun.Result r = JvmRun.on(jdk).agent("workingset=" + dir.resolve("app.ws") + ",file=" + jfr)
                .main(ColdFileReader.class, read.toString(), mapped.toString(), "8000", "2000").run(120);
        assertEquals(0, r.exitCode(), r.describe());
        List<RecordedEvent> events = WorkingSetTest.events(jfr, "kfr.PageCacheMiss");
        StringBuilder report = new StringBuilder();
        check(WorkingSetTest.of(events, read), "readColdFile", jdk, report);
        check(WorkingSetTest.of(events, mapped), "faultColdMapping", jdk, report);

        RecordedEvent stats = WorkingSetTest.events(jfr, "kfr.CollectorStatistics").stream()
                .filter(e -> "workingset".equals(e.getString("collector"))).reduce((a, b) -> b)
                .orElseThrow(() -> new AssertionError("no statistics of the workingset collector\n" + r.describe()));
        long runs = stats.getLong("missRunCount");
        long walks = stats.getLong("javaWalks");
        assertTrue(runs > 0 && walks > 0, stats.toString());
        System.out.printf("%s: miss program %d runs, %.1f us per run; %d Java walks, %.1f us per walk%n%s", jdk, runs,
                stats.getDuration("missRunTime").toNanos() / 1e3 / runs, walks,
                stats.getDuration("javaWalkTime").toNanos() / 1e3 / walks, report);
    }

    /** A file of random pages, on disk and out of the page cache. */
    private Path cold(String name, long seed) throws Exception {
        Path p = dir.resolve(name);
        byte[] b = new byte[PAGES * 4096];
        new Random(seed).nextBytes(b);
        Files.write(p, b);
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        assertEquals(0, PrefetchNative.evict(p.toString()));
        return p;
    }

    private static void check(List<RecordedEvent> misses, String method, Jdk jdk, StringBuilder report) {
        assertTrue(misses.size() >= 4, method + ": the file was read from disk: " + misses.size() + " misses");
        int named = 0;
        List<String> wrong = new ArrayList<>();
        List<String> unnamed = new ArrayList<>();
        for (RecordedEvent e : misses) {
            List<String> ours = readerFrames(e.getStackTrace());
            if (ours.equals(List.of(method, "main"))) {
                named++;
            } else if (ours.isEmpty()) {
                unnamed.add(javaPart(e.getStackTrace()));
            } else {
                wrong.add(String.join(" < ", ours) + " in " + javaPart(e.getStackTrace()));
            }
        }
        report.append(String.format("%s %s: %d of %d misses name it%n", jdk, method, named, misses.size()));
        assertTrue(wrong.isEmpty(), method + ": misses naming another method of the reader: " + wrong);
        assertTrue(named * 10 >= misses.size() * 9, method + ": " + named + " of " + misses.size()
                + " misses name it; without the reader's frames: " + unnamed.subList(0, Math.min(3, unnamed.size())));
    }

    /** The methods of ColdFileReader on the stack, innermost first. */
    private static List<String> readerFrames(RecordedStackTrace st) {
        List<String> out = new ArrayList<>();
        if (st != null) {
            for (RecordedFrame f : st.getFrames()) {
                if (f.getMethod() != null && READER.equals(f.getMethod().getType().getName())) {
                    out.add(f.getMethod().getName());
                }
            }
        }
        return out;
    }

    private static String javaPart(RecordedStackTrace st) {
        if (st == null) {
            return "(no stack)";
        }
        StringBuilder b = new StringBuilder();
        for (RecordedFrame f : st.getFrames()) {
            b.append(f.getType()).append(' ').append(f.getMethod().getType().getName()).append('.')
                    .append(f.getMethod().getName()).append("; ");
        }
        return b.toString();
    }
}
