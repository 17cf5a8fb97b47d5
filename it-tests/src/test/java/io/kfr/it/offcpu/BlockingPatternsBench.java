package io.kfr.it.offcpu;

import io.kfr.it.support.AwaitKfrStart;
import io.kfr.it.support.Jdk;
import io.kfr.it.support.JvmRun;
import io.kfr.it.support.workload.BlockingPatterns;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What kfr's off-CPU collector costs each way Java code blocks (BlockingPatterns: park/unpark,
 * monitor wait/notify, contended synchronized, Thread.sleep, a loopback socket ping-pong, an
 * epoll-driven NIO server), each driven to keep both CPUs busy: no agent, kfr collecting with Java
 * frames, JFR alone, kfr with file= (JFR's recording too), libbpf-tools' offcputime; configurations
 * alternate within each round, medians as ratios to the run without agent, every round printed,
 * and the BPF program's cost per run from the last file= run's kfr.CollectorStatistics.
 * Not a test with a verdict on speed: it reports (target/bench-patterns.txt, docs/measurements.md).
 * Run: ./dev.sh bench (-Dkfr.bench.rounds, -Dkfr.bench.patterns=park,nio to choose).
 */
class BlockingPatternsBench {
    private static final int ROUNDS = Integer.getInteger("kfr.bench.rounds", 3);
    private static final String WARMUP = "2";
    private static final String MEASURE = "4";
    private static final String OFFCPUTIME = "/usr/sbin/offcputime";

    @Test
    void everyBlockingPattern() throws Exception {
        Path dir = Files.createTempDirectory("kfr-bench-patterns");
        List<String> patterns = List.of(System.getProperty("kfr.bench.patterns", String.join(",", BlockingPatterns.PATTERNS)).split(","));
        StringBuilder report = new StringBuilder(String.format("blocking patterns: %s s per run after %s s of warm-up,"
                + " %d rounds, configurations alternating, median (rounds in brackets); ops/s%n", MEASURE, WARMUP, ROUNDS));
        for (String pattern : patterns) {
            String one = patternReport(dir, pattern);
            System.out.print(one);
            report.append(one);
        }
        Files.writeString(Path.of("target/bench-patterns.txt"), report);
    }

    private static String patternReport(Path dir, String pattern) throws Exception {
        Path file = dir.resolve(pattern + ".jfr");
        Map<String, List<Double>> rates = new LinkedHashMap<>();
        List<Double> switches = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            run(rates, "no agent", pattern, List.of(), null, false, switches);
            run(rates, "kfr offcpu (Java frames)", pattern, List.of(), "quiet", false, null);
            run(rates, "JFR alone", pattern, List.of("-XX:StartFlightRecording=filename=" + dir.resolve("jfr.jfr")), null,
                    false, null);
            run(rates, "kfr offcpu, file= (+JFR)", pattern, List.of(), "file=" + file + ",quiet", false, null);
            if (Files.isExecutable(Path.of(OFFCPUTIME))) {
                run(rates, "offcputime (libbpf-tools)", pattern, List.of(), null, true, null);
            }
        }
        double base = OffCpuOverheadBench.median(rates.get("no agent"));
        assertTrue(base > 0, pattern + ": the run without agent did no work");
        StringBuilder r = new StringBuilder(String.format("%n%s: context switches/s without agent %.0f%n", pattern,
                OffCpuOverheadBench.median(switches)));
        rates.forEach((name, values) -> r.append(String.format("  %-28s %10.0f  %.3fx  rounds=%s%n", name,
                OffCpuOverheadBench.median(values), OffCpuOverheadBench.median(values) / base, rounded(values))));
        r.append(String.format("  kfr file= against JFR alone: %.3fx%n",
                OffCpuOverheadBench.median(rates.get("kfr offcpu, file= (+JFR)")) / OffCpuOverheadBench.median(rates.get("JFR alone"))));
        r.append("  ").append(OffCpuOverheadBench.walkerCost(file));
        return r.toString();
    }

    private static List<Long> rounded(List<Double> values) {
        List<Long> out = new ArrayList<>();
        values.forEach(v -> out.add(Math.round(v)));
        return out;
    }

    private static void run(Map<String, List<Double>> rates, String name, String pattern, List<String> jvmArgs,
                            String agentOptions, boolean offcputime, List<Double> switches) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Jdk.JDK17.java().toString()));
        cmd.addAll(jvmArgs);
        if (agentOptions != null) {
            cmd.add("-javaagent:" + JvmRun.AGENT_JAR + "=" + agentOptions);
            cmd.add(AwaitKfrStart.jvmArg()); // measured with the programs attached, even on a loaded machine
        }
        cmd.addAll(List.of("-cp", Path.of("target/test-classes").toAbsolutePath().toString(),
                BlockingPatterns.class.getName(), pattern, WARMUP, MEASURE));
        Process jvm = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        Process tool = null;
        double rate = 0;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(jvm.getInputStream()))) {
            for (String line; (line = out.readLine()) != null; ) {
                if (line.startsWith("PATTERN-READY ") && offcputime) {
                    tool = new ProcessBuilder(OFFCPUTIME, "-p", line.substring(14).trim(), "30")
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                            .redirectError(ProcessBuilder.Redirect.DISCARD).start();
                } else if (line.startsWith("PATTERN ")) {
                    String[] p = line.split(" ");
                    rate = Double.parseDouble(p[1]);
                    if (switches != null) {
                        switches.add(Double.parseDouble(p[2]));
                    }
                }
            }
        } finally {
            jvm.waitFor(60, TimeUnit.SECONDS);
            if (tool != null) {
                tool.destroy();
                tool.waitFor(10, TimeUnit.SECONDS);
            }
        }
        rates.computeIfAbsent(name, k -> new ArrayList<>()).add(rate);
    }
}
