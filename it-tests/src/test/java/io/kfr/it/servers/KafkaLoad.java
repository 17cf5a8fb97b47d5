package io.kfr.it.servers;

import io.kfr.it.support.Jdk;
import io.kfr.it.support.KafkaKraft;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An Apache Kafka 4.4 broker (KRaft, broker and controller in one JVM, jars from Maven Central)
 * loaded by Kafka's own ProducerPerformance (kafka-tools, in a JVM without any agent):
 * 1 kB records, acks=all, as fast as it goes; a warm-up, then the measured run.
 */
final class KafkaLoad implements ServerLoad {
    private static final int WARMUP_RECORDS = 50_000;
    private static final int RECORDS = Integer.getInteger("kfr.bench.servers.records", 300_000);
    /** ProducerPerformance's last line: "300000 records sent, 51234.5 records/sec (50.03 MB/sec), 550.12 ms avg latency, ... 99th". */
    private static final Pattern SUMMARY = Pattern.compile(
            "(\\d+) records sent, ([0-9.]+) records/sec .*?([0-9.]+) ms 99th");
    private static final Pattern READY = Pattern.compile("Kafka Server started");
    private final Path root;
    private final KafkaKraft broker;
    private Path tools;

    KafkaLoad(Path root) {
        this.root = root;
        this.broker = new KafkaKraft(root.resolve("kafka"), root.resolve("kafka").resolve("data"), 19092, 19093, List.of());
    }

    @Override
    public String name() {
        return "Kafka " + KafkaKraft.VERSION + " broker (KRaft), ProducerPerformance " + RECORDS
                + " x 1 kB, acks=all";
    }

    @Override
    public String unit() {
        return "records/s";
    }

    @Override
    public void setUp() throws Exception {
        broker.lib();
        broker.configure("INFO");
        tools = broker.toolsLib();
    }

    @Override
    public Round run(List<String> jvmOptions) throws Exception {
        broker.format(Jdk.JDK17.java()); // a freshly formatted log directory
        List<String> cmd = new ArrayList<>(List.of(Jdk.JDK17.java().toString()));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", broker.lib() + "/*"));
        cmd.addAll(broker.mainAndArgs());
        Process server = new ProcessBuilder(cmd).directory(root.toFile()).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
            awaitReady(out);
            Thread drain = new Thread(() -> drain(out), "kafka-output");
            drain.setDaemon(true);
            drain.start();
            produce(WARMUP_RECORDS, "warmup");
            double cpuBefore = ProcessCpu.seconds(server.pid());
            MatchResult m = produce(RECORDS, "bench");
            double cpu = ProcessCpu.seconds(server.pid()) - cpuBefore;
            double rate = Double.parseDouble(m.group(2));
            return new Round(rate, cpu / (Long.parseLong(m.group(1)) / 1000.0), Double.parseDouble(m.group(3)));
        } finally {
            server.destroy(); // SIGTERM: the broker's controlled shutdown, then JFR and kfr write their files
            if (!server.waitFor(120, TimeUnit.SECONDS)) {
                server.destroyForcibly().waitFor();
            }
        }
    }

    private void awaitReady(BufferedReader out) throws IOException {
        for (String line; (line = out.readLine()) != null; ) {
            if (READY.matcher(line).find()) {
                return;
            }
        }
        throw new IllegalStateException("the broker ended before it started");
    }

    private static void drain(BufferedReader out) {
        try {
            while (out.readLine() != null) {
                // the broker's log; a full pipe would stop it
            }
        } catch (IOException ignored) {
            // the broker ended
        }
    }

    private MatchResult produce(int records, String topic) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Jdk.JDK17.java().toString(), "-cp", tools + "/*",
                "org.apache.kafka.tools.ProducerPerformance", "--topic", topic, "--num-records", String.valueOf(records),
                "--record-size", "1024", "--throughput", "-1", "--producer-props", "bootstrap.servers=localhost:19092",
                "acks=all"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String report = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("ProducerPerformance failed:\n" + report);
        }
        Matcher m = SUMMARY.matcher(report);
        MatchResult last = null;
        while (m.find()) { // progress lines first, the summary of the whole run last
            last = m.toMatchResult();
        }
        if (last == null) {
            throw new IllegalStateException("no summary line from ProducerPerformance:\n" + report);
        }
        return last;
    }
}
