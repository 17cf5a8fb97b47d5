package io.kfr.it.servers;

import io.kfr.it.support.AwaitKfrStart;
import io.kfr.it.support.JvmRun;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What kfr costs real servers (issue "cheap on real servers"): Jetty 12 under wrk and a Kafka 4.4
 * broker under its own ProducerPerformance, each with no agent, JFR alone, kfr {@code offcpu} and
 * kfr {@code offcpu,cpu} (both with {@code file=}, so JFR records beside kfr), configurations
 * alternating within every round. Prints every round and the medians as ratios against no agent
 * and against JFR alone, plus kfr's BPF time per program run and its collector thread's CPU;
 * writes target/bench-servers.txt. A report, not a verdict on speed.
 * <p>
 * Run: ./dev.sh bench, or mvn verify -pl it-tests -am -Dtest=ServerCostBench
 * (-Dkfr.bench.rounds=5, -Dkfr.bench.servers=jetty,kafka, -Dkfr.bench.servers.seconds=10,
 * -Dkfr.bench.servers.warmup=15 (Jetty, seconds),
 * -Dkfr.bench.servers.records=300000).
 */
class ServerCostBench {
    private static final int ROUNDS = Integer.getInteger("kfr.bench.rounds", 5);
    private static final List<String> SERVERS = List.of(System.getProperty("kfr.bench.servers", "jetty,kafka").split(","));
    private static final Path ROOT = Path.of("target", "servers").toAbsolutePath();
    private static final List<String> CONFIGS = List.of("no agent", "JFR alone", "kfr offcpu", "kfr offcpu,cpu");

    @Test
    void realServers() throws Exception {
        Files.createDirectories(ROOT);
        StringBuilder report = new StringBuilder();
        for (String s : SERVERS) {
            ServerLoad server = s.equals("kafka") ? new KafkaLoad(ROOT) : new JettyLoad();
            server.setUp();
            report.append(measure(server)).append('\n');
            System.out.print(report);
        }
        Files.writeString(Path.of("target/bench-servers.txt"), report);
    }

    private static String measure(ServerLoad server) throws Exception {
        Map<String, List<ServerLoad.Round>> rounds = new LinkedHashMap<>();
        Map<String, List<KfrCost>> costs = new LinkedHashMap<>();
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "%s, %d rounds, configurations alternating%n",
                server.name(), ROUNDS));
        for (int r = 1; r <= ROUNDS; r++) {
            for (String config : CONFIGS) {
                Path file = ROOT.resolve(config.replaceAll("[^a-z]+", "-") + ".jfr");
                Files.deleteIfExists(file);
                ServerLoad.Round round = server.run(jvmOptions(config, file));
                rounds.computeIfAbsent(config, k -> new ArrayList<>()).add(round);
                String cost = "";
                if (config.startsWith("kfr")) {
                    KfrCost c = KfrCost.of(file);
                    costs.computeIfAbsent(config, k -> new ArrayList<>()).add(c);
                    cost = "  " + describe(c);
                }
                String line = String.format(Locale.ROOT, "round %d %-15s %10.0f %s  CPU %.3f s/1000  p99 %.1f ms%s%n", r, config,
                        round.throughput(), server.unit(), round.cpuPerThousand(), round.p99Millis(), cost);
                System.out.print(line);
                out.append(line);
            }
        }
        double baseRate = median(rounds.get("no agent"), ServerLoad.Round::throughput);
        double baseCpu = median(rounds.get("no agent"), ServerLoad.Round::cpuPerThousand);
        double jfrRate = median(rounds.get("JFR alone"), ServerLoad.Round::throughput);
        double jfrCpu = median(rounds.get("JFR alone"), ServerLoad.Round::cpuPerThousand);
        out.append("median: throughput (x no agent, x JFR alone); CPU per unit (x no agent, x JFR alone); p99\n");
        for (String config : CONFIGS) {
            List<ServerLoad.Round> rs = rounds.get(config);
            double rate = median(rs, ServerLoad.Round::throughput);
            double cpu = median(rs, ServerLoad.Round::cpuPerThousand);
            out.append(String.format(Locale.ROOT, "  %-15s %10.0f %s (%.3fx, %.3fx); CPU %.3f s/1000 (%.3fx, %.3fx); p99 %.1f ms%s%n",
                    config, rate, server.unit(), rate / baseRate, rate / jfrRate, cpu, cpu / baseCpu, cpu / jfrCpu,
                    median(rs, ServerLoad.Round::p99Millis), costs.containsKey(config) ? "; " + medianCost(costs.get(config)) : ""));
        }
        assertTrue(baseRate > 0, "the server was measured without an agent");
        return out.toString();
    }

    private static List<String> jvmOptions(String config, Path file) throws Exception {
        switch (config) {
            case "no agent":
                return List.of();
            case "JFR alone":
                return List.of("-XX:StartFlightRecording=filename=" + file);
            default:
                String collectors = config.substring("kfr ".length());
                // the server starts once kfr's collectors are attached: the load measures them running
                return List.of("-javaagent:" + JvmRun.AGENT_JAR + "=" + collectors + ",file=" + file + ",quiet",
                        AwaitKfrStart.jvmArg());
        }
    }

    private static String describe(KfrCost c) {
        return c.bpfNanosPerRun().entrySet().stream()
                .map(e -> String.format(Locale.ROOT, "%s BPF %.0f ns/run, thread %.2f%% CPU", e.getKey(), e.getValue(),
                        100 * c.collectorCpuShare().get(e.getKey())))
                .collect(Collectors.joining("; "));
    }

    private static String medianCost(List<KfrCost> cs) {
        return cs.get(0).bpfNanosPerRun().keySet().stream()
                .map(k -> String.format(Locale.ROOT, "%s BPF %.0f ns/run, thread %.2f%% CPU", k,
                        median(cs, c -> c.bpfNanosPerRun().getOrDefault(k, Double.NaN)),
                        100 * median(cs, c -> c.collectorCpuShare().getOrDefault(k, Double.NaN))))
                .collect(Collectors.joining("; "));
    }

    private static <T> double median(List<T> values, Function<T, Double> f) {
        List<Double> sorted = new ArrayList<>();
        values.forEach(v -> sorted.add(f.apply(v)));
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }
}
