package io.kfr.it.offcpu;

import io.kfr.it.support.Jdk;
import io.kfr.it.support.JvmRun;
import io.kfr.it.support.workload.Yielders;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Stacks of preemptions are sampled (offcpu.preempted, 1 in 8 by default) and the thread's exact
 * preempted time is shared among the sampled stacks. On Yielders, whose preempted time comes 3/4
 * from yieldA and 1/4 from yieldB, yieldA's share of the time with a stack must be within 2
 * percentage points of 75% with the default, as with {@code exact} (every stack taken). Of the summed
 * (short) preempted time nearly all must have a stack (< 1% left without one). A preemption that
 * lasted the threshold is an event of its own: when it was not sampled its Java stack is walked as it
 * ends, if the thread switched out then belongs to the same JVM (6% of the events' time kept no stack
 * here, 57% before that walk): at most 30%. Only the sampled run may skip stacks.
 */
class PreemptedSamplingTest {
    private static final double TRUE_SHARE = 0.75;
    private static final double TOLERANCE = 0.02;

    @Test
    void sampledPreemptionStacksKeepTheirShares() throws Exception {
        Shares sampled = run("");
        Shares exact = run(",offcpu.preempted=exact");
        System.out.printf("preempted sampling: 1/8: yieldA %.2f%% of %.0f ms over %d intervals, %.3f%% of the summed"
                        + " time and %.1f%% of the events' time without stack, %d switch-outs not sampled;"
                        + " exact: yieldA %.2f%% of %.0f ms over %d intervals, %d not sampled%n",
                100 * sampled.shareA(), sampled.withStackNanos() / 1e6, sampled.count, 100 * sampled.unsampledShare(),
                100 * sampled.unsampledEventShare(), sampled.unsampledSwitches, 100 * exact.shareA(),
                exact.withStackNanos() / 1e6, exact.count, exact.unsampledSwitches);
        assertTrue(sampled.count > 10_000 && exact.count > 10_000,
                "too few preempted intervals to judge: " + sampled.count + ", " + exact.count);
        assertEquals(TRUE_SHARE, exact.shareA(), TOLERANCE, "exact stacks: yieldA's share");
        assertEquals(TRUE_SHARE, sampled.shareA(), TOLERANCE, "sampled stacks: yieldA's share");
        assertTrue(sampled.unsampledShare() < 0.01, "summed time left without a stack: " + sampled.unsampledShare());
        assertTrue(sampled.unsampledEventShare() < 0.30, "events' time without a stack: " + sampled.unsampledEventShare());
        assertTrue(sampled.unsampledSwitches > sampled.count / 2, "1 in 8 sampled: " + sampled.unsampledSwitches);
        assertEquals(0, exact.unsampledSwitches, "exact: every preempted stack taken");
        assertEquals(0, exact.unsampledNanos + exact.unsampledEventNanos, "exact: no time without a stack");
    }

    private static Shares run(String options) throws Exception {
        Path file = Files.createTempDirectory("kfr-it-yielders").resolve("yielders.jfr");
        JvmRun.Result run = JvmRun.on(Jdk.JDK17).agent("offcpu,file=" + file + options)
                .main(Yielders.class, "4000").run(120);
        assertEquals(0, run.exitCode(), run.describe());
        Shares s = new Shares();
        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
            String type = e.getEventType().getName();
            if (type.equals("kfr.CollectorStatistics") && e.hasField("preemptedUnsampled")) {
                s.unsampledSwitches = Math.max(s.unsampledSwitches, e.getLong("preemptedUnsampled"));
            }
            if (!type.equals("kfr.OffCpu") || !"R".equals(e.getString("state")) || e.getThread("eventThread") == null
                    || e.getThread("eventThread").getJavaName() == null
                    || !e.getThread("eventThread").getJavaName().startsWith("yielder-")) {
                continue;
            }
            long nanos = e.getDuration().toNanos();
            s.count += e.getLong("count");
            List<RecordedFrame> frames = e.getStackTrace() == null ? List.of() : e.getStackTrace().getFrames();
            boolean summed = e.getBoolean("aggregated");
            if (!summed) {
                s.eventNanos += nanos;
            }
            if (has(frames, "[preempted, stack not sampled]")) {
                if (summed) {
                    s.unsampledNanos += nanos;
                } else {
                    s.unsampledEventNanos += nanos;
                }
            } else if (has(frames, "yieldA")) {
                s.aNanos += nanos;
            } else if (has(frames, "yieldB")) {
                s.bNanos += nanos;
            } else {
                s.otherNanos += nanos;
            }
        }
        return s;
    }

    private static boolean has(List<RecordedFrame> frames, String method) {
        return frames.stream().anyMatch(f -> f.getMethod() != null && method.equals(f.getMethod().getName()));
    }

    private static final class Shares {
        long aNanos;
        long bNanos;
        long otherNanos;
        long unsampledNanos;
        long unsampledEventNanos;
        long eventNanos;
        long count;
        long unsampledSwitches;

        double shareA() {
            return (double) aNanos / (aNanos + bNanos);
        }

        double withStackNanos() {
            return aNanos + bNanos + otherNanos;
        }

        /** Of the summed time. */
        double unsampledShare() {
            return unsampledNanos / (withStackNanos() + unsampledNanos - (eventNanos - unsampledEventNanos));
        }

        /** Of the events' time. */
        double unsampledEventShare() {
            return eventNanos == 0 ? 0 : (double) unsampledEventNanos / eventNanos;
        }
    }
}
