package io.kfr.it.servers;

import io.kfr.it.support.Jdk;
import io.kfr.it.support.workload.HelloServer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Jetty 12 (jetty-server from Maven Central, the it-tests' dependency) answering "hello", loaded by
 * wrk (Debian package) with 2 threads and 64 connections: a warm-up, then the measured run.
 */
final class JettyLoad implements ServerLoad {
    /* The JIT keeps compiling kfr's own code (decoding, naming frames, encoding JFR) for ~10 s of
     * load after its start: with a 3 s warm-up the measured run took that one-off cost for a steady
     * one (CPU per request 2-3x against 1.1-1.9x after 15 s, same machine, dev notes in
     * docs/measurements.md). Every configuration warms up equally long. */
    private static final int WARMUP_SECONDS = Integer.getInteger("kfr.bench.servers.warmup", 15);
    private static final int MEASURE_SECONDS = Integer.getInteger("kfr.bench.servers.seconds", 10);
    private static final Pattern RATE = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
    private static final Pattern P99 = Pattern.compile("\\s99%\\s+([0-9.]+)(us|ms|s)\\b");

    @Override
    public String name() {
        return "Jetty 12 hello, wrk -t2 -c64 -d" + MEASURE_SECONDS + "s";
    }

    @Override
    public String unit() {
        return "requests/s";
    }

    @Override
    public void setUp() {
        // jetty-server is on the test class path; wrk comes from dev.sh bench's packages
    }

    @Override
    public Round run(List<String> jvmOptions) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Jdk.JDK17.java().toString()));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), HelloServer.class.getName()));
        Process server = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))) {
            int port = awaitPort(out);
            wrk(port, WARMUP_SECONDS, false);
            double cpuBefore = ProcessCpu.seconds(server.pid());
            String report = wrk(port, MEASURE_SECONDS, true);
            double cpu = ProcessCpu.seconds(server.pid()) - cpuBefore;
            Matcher rate = RATE.matcher(report);
            if (!rate.find()) {
                throw new IllegalStateException("no Requests/sec in wrk's report:\n" + report);
            }
            double rps = Double.parseDouble(rate.group(1));
            return new Round(rps, cpu / (rps * MEASURE_SECONDS / 1000.0), p99Millis(report));
        } finally {
            server.getOutputStream().close(); // the server's signal to stop
            if (!server.waitFor(120, TimeUnit.SECONDS)) {
                server.destroyForcibly().waitFor();
            }
        }
    }

    private static int awaitPort(BufferedReader out) throws IOException {
        for (String line; (line = out.readLine()) != null; ) {
            if (line.startsWith("KFR-HELLO-PORT ")) {
                return Integer.parseInt(line.substring(15).trim());
            }
        }
        throw new IllegalStateException("the hello server ended before it listened");
    }

    private static String wrk(int port, int seconds, boolean latency) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("wrk", "-t2", "-c64", "-d" + seconds + "s"));
        if (latency) {
            cmd.add("--latency");
        }
        cmd.add("http://127.0.0.1:" + port + "/");
        Process wrk = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String report = new String(wrk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (wrk.waitFor() != 0) {
            throw new IllegalStateException("wrk failed:\n" + report);
        }
        return report;
    }

    private static double p99Millis(String report) {
        Matcher m = P99.matcher(report);
        if (!m.find()) {
            return Double.NaN;
        }
        double v = Double.parseDouble(m.group(1));
        switch (m.group(2)) {
            case "us":
                return v / 1000;
            case "s":
                return v * 1000;
            default:
                return v;
        }
    }
}
