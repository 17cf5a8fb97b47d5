package io.kfr.it.offcpu;

import io.kfr.it.support.Jdk;
import io.kfr.it.support.JvmRun;
import io.kfr.it.support.workload.SwitchStorm;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Throughput of a context-switch storm without kfr, with kfr's off-CPU collector, and with
 * libbpf-tools' offcputime watching the same JVM, alternating in one run; medians as ratios to the
 * baseline. Not a test with a verdict on speed: it reports (target/bench-offcpu.txt, README).
 * Run: ./dev.sh bench
 */
class OffCpuOverheadBench {
    private static final int PAIRS = Integer.getInteger("kfr.bench.pairs", 4);
    private static final int ROUNDS = Integer.getInteger("kfr.bench.rounds", 5);
    private static final String WARMUP = "3";
    private static final String MEASURE = "5";
    private static final List<Double> SWITCHES = new ArrayList<>();

    /** Work per hand-off: 2000 gives ~500k switches/s here (the storm), 0 about twice that. */
    private static final int[] WORK = {2000, 0};

    @Test
    void contextSwitchStorm() throws Exception {
        Path dir = Files.createTempDirectory("kfr-bench");
        StringBuilder report = new StringBuilder();
        for (int work : WORK) {
            report.append(stormReport(dir, work)).append('\n');
        }
        System.out.print(report);
        Files.writeString(Path.of("target/bench-offcpu.txt"), report);
    }

    private static String stormReport(Path dir, int work) throws Exception {
        Map<String, List<Double>> results = new TreeMap<>();
        SWITCHES.clear();
        String jfr = "-XX:StartFlightRecording=filename=" + dir.resolve("jfr-only.jfr");
        for (int round = 0; round < ROUNDS; round++) {
            results.computeIfAbsent("1 baseline (no agent)", k -> new ArrayList<>()).add(storm(List.of(), null, false, work));
            results.computeIfAbsent("2 kfr offcpu, collecting (Java frames)", k -> new ArrayList<>())
                    .add(storm(List.of(), "quiet", false, work));
            results.computeIfAbsent("2 kfr offcpu, no Java frames", k -> new ArrayList<>())
                    .add(storm(List.of(), "quiet,offcpu.java=off", false, work));
            results.computeIfAbsent("3 JFR alone (default.jfc)", k -> new ArrayList<>())
                    .add(storm(List.of(jfr), null, false, work));
            results.computeIfAbsent("4 kfr offcpu, file= (+JFR)", k -> new ArrayList<>())
                    .add(storm(List.of(), "file=" + dir.resolve("bench.jfr") + ",quiet", false, work));
            if (Files.isExecutable(Path.of("/usr/sbin/offcputime"))) {
                results.computeIfAbsent("5 offcputime (libbpf-tools)", k -> new ArrayList<>())
                        .add(storm(List.of(), null, true, work));
            }
        }
        double base = median(results.get("1 baseline (no agent)"));
        StringBuilder report = new StringBuilder(String.format(
                "context-switch storm: %d pairs, park/unpark hand-offs, work %d per hand-off, %s s per run, %d rounds,"
                        + " median; context switches/s of the JVM (median over all runs): %.0f%n", PAIRS, work, MEASURE,
                ROUNDS, median(SWITCHES)));
        results.forEach((name, values) -> report.append(String.format("%-30s %12.0f hand-offs/s  %.3fx  runs=%s%n",
                name.substring(2), median(values), median(values) / base, values)));
        report.append(String.format("kfr file= against JFR alone: %.3fx%n",
                median(results.get("4 kfr offcpu, file= (+JFR)")) / median(results.get("3 JFR alone (default.jfc)"))));
        assertTrue(base > 0);
        assertFalse(results.get("2 kfr offcpu, collecting (Java frames)").contains(0.0));
        report.append(walkerCost(dir.resolve("bench.jfr")));
        return report.toString();
    }

    /** The kernel-side cost of the last file= run, from its final kfr.CollectorStatistics. */
    static String walkerCost(Path file) throws Exception {
        jdk.jfr.consumer.RecordedEvent last = null;
        for (jdk.jfr.consumer.RecordedEvent e : jdk.jfr.consumer.RecordingFile.readAllEvents(file)) {
            if (e.getEventType().getName().equals("kfr.CollectorStatistics")) {
                last = e;
            }
        }
        if (last == null) {
            return "no kfr.CollectorStatistics in " + file + "\n";
        }
        long runs = last.getLong("bpfRunCount");
        long walks = last.getLong("javaWalks");
        long hits = last.getLong("javaCacheHits");
        long misses = last.getLong("javaVerifyMisses");
        long records = last.getLong("eventsRecorded") + last.getLong("intervalsAggregated");
        return String.format("last file= run: BPF %.0f ns per run (%d runs); collector thread %.0f ms CPU for %d intervals"
                        + " (%.2f us each); Java stacks walked %d (%.1f us each, %.1f frames),"
                        + " reused %d, verify misses %d, no anchor %d, stopped %d; stack walks %d, stack cache hits %d%n",
                runs == 0 ? 0.0 : last.getDuration("bpfRunTime").toNanos() / (double) runs, runs,
                last.getDuration("collectorCpuTime").toNanos() / 1e6, records,
                records == 0 ? 0.0 : last.getDuration("collectorCpuTime").toNanos() / 1e3 / records, walks,
                walks == 0 ? 0.0 : last.getDuration("javaWalkTime").toNanos() / 1e3 / walks,
                walks == 0 ? 0.0 : last.getLong("javaFrames") / (double) walks, hits, misses,
                last.getLong("javaNoAnchor"), last.getLong("javaBroken"), last.getLong("stackWalks"),
                last.getLong("stackCacheHits"));
    }

    static double storm(String agentOptions, boolean withOffcputime) throws Exception {
        return storm(List.of(), agentOptions, withOffcputime, 0);
    }

    static double storm(List<String> jvmArgs, String agentOptions, boolean withOffcputime, int work) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Jdk.JDK17.java().toString()));
        cmd.addAll(jvmArgs);
        if (agentOptions != null) {
            cmd.add("-javaagent:" + JvmRun.AGENT_JAR + "=" + agentOptions);
        }
        cmd.addAll(List.of("-cp", Path.of("target/test-classes").toAbsolutePath().toString(),
                SwitchStorm.class.getName(), String.valueOf(PAIRS), WARMUP, MEASURE, String.valueOf(work)));
        Process jvm = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        Process tool = null;
        double rate = 0;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(jvm.getInputStream()))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("STORM-READY ") && withOffcputime) {
                    tool = new ProcessBuilder("/usr/sbin/offcputime", "-p", line.substring(12).trim(), "20")
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                            .redirectError(ProcessBuilder.Redirect.DISCARD).start();
                } else if (line.startsWith("STORM ")) {
                    String[] p = line.split(" ");
                    rate = Double.parseDouble(p[1]);
                    SWITCHES.add(Double.parseDouble(p[2]));
                }
            }
        } finally {
            jvm.waitFor(60, TimeUnit.SECONDS);
            if (tool != null) {
                tool.destroy();
                tool.waitFor(10, TimeUnit.SECONDS);
            }
        }
        return rate;
    }

    static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }
}
