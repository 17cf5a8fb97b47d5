package io.kfr.it.offcpu;

import io.kfr.it.support.Jdk;
import io.kfr.it.support.JvmRun;
import io.kfr.it.support.workload.TwoPaths;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The kernel reuses a thread's Java stack when the stack slots the walk read are unchanged. Two
 * call paths that differ only 30 frames down, below identical frames at identical addresses, must
 * still be told apart: every sleep is attributed to the path it was called through.
 */
class JavaStackCacheTest {
    private static final int CALLS = 400;
    private static final long SLACK_NANOS = 300_000;

    @ParameterizedTest
    @MethodSource("io.kfr.it.support.Jdk#everyTest")
    void deepCallerIsNotTakenFromTheCache(Jdk jdk) throws Exception {
        Path file = Files.createTempDirectory("kfr-it-twopaths").resolve("twopaths.jfr");
        JvmRun.Result run = JvmRun.on(jdk).jvmArg("-Xint").agent("file=" + file)
                .main(TwoPaths.class, String.valueOf(CALLS)).run(120);
        assertEquals(0, run.exitCode(), run.describe());
        assertTrue(run.stdout().contains("TWOPATHS-DONE " + CALLS), run.describe());
        // the cached program; raw_tp (the fallback when tp_btf does not load) walks every time
        assertTrue(run.stderr().contains("(tp_btf,"), "the tp_btf program loaded\n" + run.describe());

        List<RecordedEvent> sleeps = new ArrayList<>();
        long cacheHits = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
            if (e.getEventType().getName().equals("kfr.OffCpu") && !e.getBoolean("aggregated")
                    && e.getDuration().toNanos() >= 2_000_000 && path(e) != null && inSleep(e)) {
                sleeps.add(e);
            } else if (e.getEventType().getName().equals("kfr.CollectorStatistics")) {
                cacheHits = Math.max(cacheHits, e.getLong("javaCacheHits"));
            }
        }
        // both paths were served from the cache (one way each): otherwise this proves nothing
        assertTrue(cacheHits >= CALLS / 2, "Java stack cache hits: " + cacheHits);
        List<long[]> calls = run.stdout().lines().filter(l -> l.startsWith("CALL ")).map(l -> l.split(" "))
                .map(p -> new long[] {Long.parseLong(p[1]), Long.parseLong(p[2]), Long.parseLong(p[3])}).toList();
        assertEquals(CALLS, calls.size(), run.describe());
        int wrong = 0;
        int matched = 0;
        StringBuilder examples = new StringBuilder();
        for (RecordedEvent e : sleeps) {
            long t = e.getStartTime().getEpochSecond() * 1_000_000_000L + e.getStartTime().getNano();
            long end = t + e.getDuration().toNanos();
            // the whole interval inside one call (clock conversion slack), else it is not attributed
            long[] call = calls.stream().filter(c -> c[1] - SLACK_NANOS <= t && end <= c[2] + SLACK_NANOS).findFirst()
                    .orElse(null);
            if (call == null) {
                continue;
            }
            matched++;
            String expected = call[0] % 2 == 0 ? "pathA" : "pathB";
            if (!expected.equals(path(e)) && wrong++ < 3) {
                examples.append("call ").append(call[0]).append(" [").append(call[1]).append(", ").append(call[2])
                        .append("]: expected ").append(expected).append(", recorded ").append(path(e))
                        .append(" in an event at ").append(t).append(" lasting ").append(e.getDuration().toNanos())
                        .append(" ns\n");
            }
        }
        assertTrue(matched >= CALLS * 0.95, "sleeps matched to calls: " + matched + " of " + sleeps.size());
        System.out.printf("%s two paths: %d of %d sleeps attributed to the wrong caller%n", jdk, wrong, CALLS);
        assertEquals(0, wrong, examples.toString());
    }

    /** Blocked in Thread.sleep. */
    private static boolean inSleep(RecordedEvent e) {
        return e.getStackTrace().getFrames().stream().anyMatch(f -> f.getMethod().getType().getName().equals("java.lang.Thread")
                && f.getMethod().getName().startsWith("sleep"));
    }

    /** pathA or pathB, whichever the event's Java frames go through; null if neither. */
    private static String path(RecordedEvent e) {
        if (e.getStackTrace() == null) {
            return null;
        }
        for (RecordedFrame f : e.getStackTrace().getFrames()) {
            String m = f.getMethod().getName();
            if (f.getMethod().getType().getName().equals(TwoPaths.class.getName()) && m.startsWith("path")) {
                return m;
            }
        }
        return null;
    }
}
