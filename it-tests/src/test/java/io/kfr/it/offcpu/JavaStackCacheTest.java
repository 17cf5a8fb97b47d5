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
    private static final int MIXED_CALLS = 150;
    private static final long SLACK_NANOS = 300_000;

    @ParameterizedTest
    @MethodSource("io.kfr.it.support.Jdk#everyTest")
    void deepCallerIsNotTakenFromTheCache(Jdk jdk) throws Exception {
        Recorded r = record(jdk, "file=%s", CALLS);
        // both paths were served from the cache (one way each): otherwise this proves nothing
        assertTrue(r.cacheHits >= CALLS / 2, "Java stack cache hits: " + r.cacheHits + " in " + r.statistics
                + " statistics events; " + r.sleeps.size() + " sleeps with a path\n" + r.run.describe());
        assertAttributed(jdk, r, CALLS, 2_000_000, "two paths");
    }

    /**
     * Short intervals reuse a blocking point's Java stack unverified (a sample); an interval that
     * then turns out long is an event and must carry exact frames or none: here every long sleep
     * follows short sleeps at the same place through randomly drawn paths.
     */
    @ParameterizedTest
    @MethodSource("io.kfr.it.support.Jdk#everyTest")
    void longIntervalAfterShortOnesCarriesNoSampledStack(Jdk jdk) throws Exception {
        Recorded r = record(jdk, "file=%s,offcpu.threshold=3ms", MIXED_CALLS, "6");
        System.out.printf("%s mixed: %d events without Java frames (not verified)%n", jdk, r.unverified);
        // the first long interval of the blocking point may come unverified; it verifies from then on
        assertTrue(r.unverified <= 4, "events without a verified Java stack: " + r.unverified);
        assertAttributed(jdk, r, MIXED_CALLS, 4_000_000, "mixed short and long");
    }

    private static final class Recorded {
        final JvmRun.Result run;
        final List<RecordedEvent> sleeps = new ArrayList<>();
        long cacheHits;
        long unverified;
        int statistics;

        Recorded(JvmRun.Result run) {
            this.run = run;
        }
    }

    private static Recorded record(Jdk jdk, String agent, int calls, String... extra) throws Exception {
        Path file = Files.createTempDirectory("kfr-it-twopaths").resolve("twopaths.jfr");
        List<String> args = new ArrayList<>(List.of(String.valueOf(calls)));
        args.addAll(List.of(extra));
        JvmRun.Result run = JvmRun.on(jdk).jvmArg("-Xint").agent(String.format(agent, file))
                .main(TwoPaths.class, args.toArray(new String[0])).run(120);
        assertEquals(0, run.exitCode(), run.describe());
        assertTrue(run.stdout().contains("TWOPATHS-DONE " + calls), run.describe());
        // the cached program; raw_tp (the fallback when tp_btf does not load) walks every time
        assertTrue(run.stderr().contains("(tp_btf,"), "the tp_btf program loaded\n" + run.describe());
        Recorded r = new Recorded(run);
        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
            if (e.getEventType().getName().equals("kfr.OffCpu") && !e.getBoolean("aggregated")
                    && path(e) != null && inSleep(e)) {
                r.sleeps.add(e);
            } else if (e.getEventType().getName().equals("kfr.CollectorStatistics")) {
                r.statistics++;
                r.cacheHits = Math.max(r.cacheHits, e.getLong("javaCacheHits"));
                r.unverified = Math.max(r.unverified, e.getLong("javaUnverified"));
            }
        }
        return r;
    }

    /** Every long sleep inside a call is attributed to the call's path. */
    private static void assertAttributed(Jdk jdk, Recorded r, int calls, long minNanos, String what) {
        List<String[]> callLines = r.run.stdout().lines().filter(l -> l.startsWith("CALL ")).map(l -> l.split(" "))
                .toList();
        assertEquals(calls, callLines.size(), r.run.describe());
        int wrong = 0;
        int matched = 0;
        StringBuilder examples = new StringBuilder();
        for (RecordedEvent e : r.sleeps) {
            if (e.getDuration().toNanos() < minNanos) {
                continue;
            }
            long t = e.getStartTime().getEpochSecond() * 1_000_000_000L + e.getStartTime().getNano();
            long end = t + e.getDuration().toNanos();
            // the whole interval inside one call (clock conversion slack), else it is not attributed
            String[] call = callLines.stream().filter(c -> Long.parseLong(c[2]) - SLACK_NANOS <= t
                    && end <= Long.parseLong(c[3]) + SLACK_NANOS).findFirst().orElse(null);
            if (call == null) {
                continue;
            }
            matched++;
            String expected = "path" + call[4];
            if (!expected.equals(path(e)) && wrong++ < 3) {
                examples.append("call ").append(call[1]).append(" [").append(call[2]).append(", ").append(call[3])
                        .append("]: expected ").append(expected).append(", recorded ").append(path(e))
                        .append(" in an event at ").append(t).append(" lasting ").append(e.getDuration().toNanos())
                        .append(" ns\n");
            }
        }
        assertTrue(matched >= calls * 0.95, "sleeps matched to calls: " + matched + " of " + r.sleeps.size());
        System.out.printf("%s %s: %d of %d sleeps attributed to the wrong caller%n", jdk, what, wrong, calls);
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
