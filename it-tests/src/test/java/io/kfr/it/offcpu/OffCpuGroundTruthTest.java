package io.kfr.it.offcpu;

import io.kfr.it.support.GroundTruthRecording;
import io.kfr.it.support.Jdk;
import io.kfr.it.support.ReadBack;
import io.kfr.it.support.Truth;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Off-CPU time per thread against what each workload thread measured about itself (wall - CPU time
 * over its measured window), within 5%, with the expected state and kernel frames; on JDK 17 and 25.
 */
class OffCpuGroundTruthTest {
    private static final double TOLERANCE = 0.05;
    /** Clock conversion slack at the window edges (the thread is on-CPU there, so nothing straddles them). */
    private static final long EDGE_SLACK_NANOS = 200_000;

    @ParameterizedTest
    @MethodSource("io.kfr.it.support.Jdk#everyTest")
    void sleepingThread(Jdk jdk) throws Exception {
        // Thread.sleep waits on a futex (a timed pthread_cond_wait) on both JDKs
        checkWindow(jdk, "sleep", "S", 0.95, "futex_wait");
    }

    @ParameterizedTest
    @MethodSource("io.kfr.it.support.Jdk#everyTest")
    void parkingThread(Jdk jdk) throws Exception {
        checkWindow(jdk, "park", "S", 0.95, "futex_wait");
    }

    @ParameterizedTest
    @MethodSource("io.kfr.it.support.Jdk#everyTest")
    void contendedMonitor(Jdk jdk) throws Exception {
        // the rest is R: woken when the monitor is released, then waiting for one of the 2 CPUs
        checkWindow(jdk, "monitor", "S", 0.75, "futex_wait");
    }

    @ParameterizedTest
    @MethodSource("io.kfr.it.support.Jdk#everyTest")
    void fsync(Jdk jdk) throws Exception {
        checkWindow(jdk, "fsync", "D", 0.50, "fsync");
    }

    /** Short waits are summed in the kernel; the thread's total still matches, interval for interval. */
    @ParameterizedTest
    @MethodSource("io.kfr.it.support.Jdk#everyTest")
    void shortWaitsAggregatedInTheKernel(Jdk jdk) throws Exception {
        GroundTruthRecording rec = GroundTruthRecording.fresh(jdk, GroundTruthRecording.Kind.SHORT_WAITS);
        Truth truth = Truth.of(rec.truths, "handoff");
        ReadBack r = ReadBack.read(rec.file);
        // aggregated intervals carry the period's start, not their own: take them all (the thread's
        // few short waits outside its window are microseconds), and the individual ones in the window
        Map<String, Long> individual = r.inWindow(truth.tid(), truth.windowStartEpochNanos() - EDGE_SLACK_NANOS,
                truth.windowEndEpochNanos() + EDGE_SLACK_NANOS);
        long recorded = r.aggregatedNanos.getOrDefault(truth.tid(), 0L)
                + individual.values().stream().mapToLong(Long::longValue).sum();
        String context = jdk + " " + truth + "\nwhole thread: " + r.offCpuByTid.get(truth.tid())
                + "\nindividual in window: " + individual + "\naggregated events: " + r.aggregatedCount.get(truth.tid())
                + " summing " + r.aggregatedIntervals.get(truth.tid()) + " intervals";
        assertWithin(recorded, truth.offCpuNanos(), context);
        assertTrue(r.aggregatedIntervals.getOrDefault(truth.tid(), 0L) >= 5_000,
                "most of the 10000 hand-offs are aggregated, not single events\n" + context);
    }

    @ParameterizedTest
    @MethodSource("io.kfr.it.support.Jdk#everyTest")
    void collectorStatisticsRecorded(Jdk jdk) throws Exception {
        ReadBack r = ReadBack.read(GroundTruthRecording.of(jdk).file);
        assertTrue(r.eventCounts.getOrDefault("kfr.CollectorStatistics", 0L) >= 1, r.format());
        assertTrue(r.maxBpfRunCount > 0, "BPF run count from the kernel's statistics\n" + r.format());
        assertEquals(0, r.maxRecordsDropped, "intervals lost entirely");
    }

    /** Nothing dropped silently: the file holds exactly what the kernel counted, for both kinds of run. */
    @ParameterizedTest
    @MethodSource("io.kfr.it.support.Jdk#everyTest")
    void fileHoldsEverythingTheKernelCounted(Jdk jdk) throws Exception {
        for (GroundTruthRecording.Kind kind : GroundTruthRecording.Kind.values()) {
            ReadBack r = ReadBack.read(GroundTruthRecording.of(jdk, kind).file);
            var stats = r.finalStatistics;
            String context = jdk + " " + kind + "\n" + stats;
            assertEquals(stats.getLong("eventsRecorded"), r.individualEvents, "individual events\n" + context);
            assertEquals(stats.getLong("intervalsAggregated"),
                    r.aggregatedIntervals.values().stream().mapToLong(Long::longValue).sum(),
                    "intervals in aggregated events\n" + context);
            assertEquals(0, stats.getLong("recordsDropped"), context);
            assertEquals(0, stats.getLong("storageErrors"), context);
            assertTrue(stats.getLong("stackCacheHits") > 0, "blocking in the same place again reuses the stack\n" + context);
            System.out.printf("statistics %s %s: events %d, aggregated intervals %d, stack walks %d, cache hits %d,"
                            + " missed switch-ins %d, intervals missed %d, BPF %d runs %.0f ns/run%n", jdk, kind,
                    stats.getLong("eventsRecorded"), stats.getLong("intervalsAggregated"), stats.getLong("stackWalks"),
                    stats.getLong("stackCacheHits"), stats.getLong("missedSwitchIns"), stats.getLong("intervalsMissed"),
                    stats.getLong("bpfRunCount"),
                    stats.getDuration("bpfRunTime").toNanos() / (double) Math.max(1, stats.getLong("bpfRunCount")));
        }
    }

    private static void checkWindow(Jdk jdk, String scenario, String state, double minStateShare, String kernelHint)
            throws Exception {
        GroundTruthRecording rec = GroundTruthRecording.of(jdk);
        Truth truth = Truth.of(rec.truths, scenario);
        ReadBack r = ReadBack.read(rec.file);
        Map<String, Long> byState = r.inWindow(truth.tid(), truth.windowStartEpochNanos() - EDGE_SLACK_NANOS,
                truth.windowEndEpochNanos() + EDGE_SLACK_NANOS);
        long recorded = byState.values().stream().mapToLong(Long::longValue).sum();
        String context = jdk + " " + truth + "\nin window by state: " + byState + "\nwhole thread: "
                + r.offCpuByTid.get(truth.tid()) + "\nkernel functions: " + r.kernelFunctions.get(truth.tid());
        assertWithin(recorded, truth.offCpuNanos(), context);
        double share = byState.getOrDefault(state, 0L) / (double) recorded;
        assertTrue(share >= minStateShare, String.format("state %s has %.1f%% of the off-CPU time%n%s",
                state, share * 100, context));
        assertTrue(r.withKernelFrames.getOrDefault(truth.tid(), 0L) > 0, "no kernel frames\n" + context);
        assertTrue(r.kernelFunctions.get(truth.tid()).stream().anyMatch(f -> f.contains(kernelHint)),
                "no kernel function containing '" + kernelHint + "'\n" + context);
    }

    private static void assertWithin(long recorded, long measured, String context) {
        double error = Math.abs(recorded - measured) / (double) measured;
        System.out.printf("ground truth: %s: recorded %.3f ms, measured %.3f ms, error %.2f%%%n",
                context.replaceAll("(?s)^(\\S+) Truth\\[scenario=([a-z]+).*", "$1 $2"), recorded / 1e6, measured / 1e6,
                error * 100);
        assertTrue(error <= TOLERANCE, String.format("off-CPU %.2f ms recorded vs %.2f ms measured (%.1f%% off)%n%s",
                recorded / 1e6, measured / 1e6, error * 100, context));
    }
}
