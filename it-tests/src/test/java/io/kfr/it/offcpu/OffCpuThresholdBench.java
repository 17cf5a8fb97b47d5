package io.kfr.it.offcpu;

import io.kfr.it.report.ReadersAgreementTest;
import io.kfr.it.support.Jdk;
import io.kfr.it.support.JvmRun;
import io.kfr.it.support.ReadBack;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the off-CPU threshold costs: for each candidate, the context-switch storm's throughput
 * against the baseline, and the events and bytes kfr writes per second for the storm and for the
 * demo workload (sleep, park, lock, fsync, socket: a service-like mix). Reports
 * target/bench-threshold.txt; the README's threshold choice comes from it.
 * Run: ./dev.sh bench
 */
class OffCpuThresholdBench {
    private static final String[] THRESHOLDS = {"10us", "100us", "1ms", "10ms"};
    private static final int ROUNDS = Integer.getInteger("kfr.bench.rounds", 5);

    @Test
    void thresholdSweep() throws Exception {
        Path dir = Files.createTempDirectory("kfr-bench-threshold");
        List<Double> base = new ArrayList<>();
        for (int i = 0; i < ROUNDS; i++) {
            base.add(OffCpuOverheadBench.storm(null, false));
        }
        double baseline = OffCpuOverheadBench.median(base);
        StringBuilder report = new StringBuilder(String.format(
                "off-CPU threshold sweep (%d rounds, median); storm baseline %.0f hand-offs/s%n"
                        + "%-9s %14s %16s %16s %16s %16s%n", ROUNDS, baseline, "threshold", "storm ratio",
                "storm events/s", "storm kB/s", "demo events/s", "demo kB/s"));
        for (String threshold : THRESHOLDS) {
            List<Double> rates = new ArrayList<>();
            Path stormFile = dir.resolve("storm-" + threshold + ".jfr");
            for (int i = 0; i < ROUNDS; i++) {
                rates.add(OffCpuOverheadBench.storm("file=" + stormFile + ",quiet,offcpu.threshold=" + threshold, false));
            }
            Written storm = Written.of(stormFile);
            Path demoFile = dir.resolve("demo-" + threshold + ".jfr");
            JvmRun.Result demo = JvmRun.on(Jdk.JDK17).agent("file=" + demoFile + ",quiet,offcpu.threshold=" + threshold)
                    .classpath(JvmRun.AGENT_JAR).main("io.kfr.agent.demo.DemoWorkload").run(120);
            assertTrue(demo.exitCode() == 0, demo.describe());
            Written mix = Written.of(demoFile);
            report.append(String.format("%-9s %13.3fx %16.0f %16.1f %16.0f %16.1f%n", threshold,
                    OffCpuOverheadBench.median(rates) / baseline, storm.eventsPerSecond(), storm.kilobytesPerSecond(),
                    mix.eventsPerSecond(), mix.kilobytesPerSecond()));
        }
        System.out.print(report);
        Files.writeString(Path.of("target/bench-threshold.txt"), report);
    }

    /** kfr.OffCpu events and their bytes per second of recording, from `jfr summary`. */
    record Written(double eventsPerSecond, double kilobytesPerSecond) {
        static Written of(Path file) throws Exception {
            String summary = ReadersAgreementTest.runTool(List.of(Jdk.JDK17.jfrTool().toString(), "summary", file.toString()));
            ReadBack r = ReadBack.read(file);
            double seconds = r.durationSeconds();
            long events = ReadersAgreementTest.summaryCount(summary, "kfr.OffCpu");
            long bytes = summarySize(summary, "kfr.OffCpu");
            return new Written(events / seconds, bytes / 1024.0 / seconds);
        }

        private static long summarySize(String summary, String type) {
            return summary.lines().map(String::trim).filter(l -> l.startsWith(type + " "))
                    .map(l -> l.split("\\s+")).mapToLong(p -> Long.parseLong(p[2])).findFirst().orElse(-1);
        }
    }
}
