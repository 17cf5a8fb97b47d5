package io.kfr.it.cpu;

import io.kfr.it.support.Jdk;
import io.kfr.it.support.JvmRun;
import io.kfr.it.support.workload.CpuBound;
import io.kfr.it.support.workload.CpuBurners;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kfr's CPU sampler side by side with async-profiler (Maven artifact tools.profiler:async-profiler,
 * event cpu, the same 10 ms interval) on the same workloads: per-method shares of the samples, and
 * the throughput of a CPU-bound benchmark without a profiler, with kfr and with async-profiler,
 * alternating, medians. Reports to target/bench-cpu.txt. Run: ./dev.sh bench
 */
class CpuSamplerBench {
    private static final int ROUNDS = Integer.getInteger("kfr.bench.rounds", 5);
    private static final String BURNERS = CpuBurners.class.getName();
    /** What the shares are compared on: a method anywhere in the sample's stack. */
    private static final Map<String, String> METHODS = new LinkedHashMap<>();

    static {
        METHODS.put("burnDirect", BURNERS + ".burnDirect");
        METHODS.put("burnInlined", BURNERS + ".burnInlined");
        METHODS.put("tiny (inlined)", BURNERS + ".tiny");
        METHODS.put("Deflater.deflateBytesBytes", "java.util.zip.Deflater.deflateBytesBytes");
    }

    @Test
    void sideBySideWithAsyncProfiler() throws Exception {
        Path profiler = asyncProfiler();
        Path dir = Files.createTempDirectory("kfr-bench-cpu");
        StringBuilder report = new StringBuilder();
        for (Jdk jdk : Jdk.everyTest()) {
            Path kfr = dir.resolve("kfr-" + jdk + ".jfr");
            Path ap = dir.resolve("ap-" + jdk + ".jfr");
            // without the allocator: GC work varies from run to run, the burners' shares do not
            run(jdk, List.of("-javaagent:" + JvmRun.AGENT_JAR + "=cpu,quiet,cpu.executionsample=off,file=" + kfr),
                    CpuBurners.class, "8", "noalloc");
            run(jdk, List.of("-agentpath:" + profiler + "=start,event=cpu,interval=10ms,jfr,file=" + ap), CpuBurners.class,
                    "8", "noalloc");
            Map<String, Double> k = shares(kfr, "kfr.CpuSample", "eventThread", false);
            Map<String, Double> a = shares(ap, "jdk.ExecutionSample", "sampledThread", false);
            Map<String, Double> kw = shares(kfr, "kfr.CpuSample", "eventThread", true);
            Map<String, Double> aw = shares(ap, "jdk.ExecutionSample", "sampledThread", true);
            report.append(String.format("per-method shares of the samples, %s (CpuBurners noalloc, 8 s, 10 ms):%n", jdk));
            report.append(String.format("  %-28s %8s %8s %8s   %s%n", "method (in the stack)", "kfr", "a-p", "diff",
                    "| of the 3 workload threads' samples: kfr, a-p, diff"));
            report.append(String.format("  samples: kfr %d, async-profiler %d%n", count(kfr, "kfr.CpuSample"),
                    count(ap, "jdk.ExecutionSample")));
            for (String m : k.keySet()) {
                double d = (k.get(m) - a.getOrDefault(m, 0.0)) * 100;
                double dw = (kw.get(m) - aw.getOrDefault(m, 0.0)) * 100;
                report.append(String.format("  %-28s %7.1f%% %7.1f%% %+6.1f pp   | %7.1f%% %7.1f%% %+6.1f pp%n", m,
                        k.get(m) * 100, a.getOrDefault(m, 0.0) * 100, d, kw.get(m) * 100, aw.getOrDefault(m, 0.0) * 100, dw));
            }
        }
        report.append(overhead(profiler));
        System.out.print(report);
        Files.writeString(Path.of("target/bench-cpu.txt"), report);
    }

    private static String overhead(Path profiler) throws Exception {
        Map<String, List<Double>> r = new TreeMap<>();
        for (int i = 0; i < ROUNDS; i++) {
            r.computeIfAbsent("1 no profiler", k -> new ArrayList<>()).add(bound(List.of()));
            r.computeIfAbsent("2 kfr cpu, 100 Hz", k -> new ArrayList<>())
                    .add(bound(List.of("-javaagent:" + JvmRun.AGENT_JAR + "=cpu,quiet")));
            r.computeIfAbsent("3 async-profiler cpu, 100 Hz", k -> new ArrayList<>())
                    .add(bound(List.of("-agentpath:" + profiler + "=start,event=cpu,interval=10ms,file=/dev/null,collapsed")));
        }
        double base = median(r.get("1 no profiler"));
        StringBuilder b = new StringBuilder(String.format("%nCPU-bound benchmark (2 threads hashing, 3 s warm-up, 5 s"
                + " measured, %d rounds alternating, median, JDK 17):%n", ROUNDS));
        r.forEach((name, v) -> b.append(String.format("  %-30s %12.0f ops/s  %.3fx  runs=%s%n", name.substring(2),
                median(v), median(v) / base, v)));
        return b.toString();
    }

    private static double bound(List<String> jvmArgs) throws Exception {
        String out = run(Jdk.JDK17, jvmArgs, CpuBound.class, "3", "5");
        return out.lines().filter(l -> l.startsWith("CPUBOUND ")).mapToDouble(l -> Double.parseDouble(l.substring(9)))
                .findFirst().orElse(0);
    }

    private static String run(Jdk jdk, List<String> jvmArgs, Class<?> main, String... args) throws Exception {
        JvmRun run = JvmRun.on(jdk).main(main, args);
        jvmArgs.forEach(run::jvmArg);
        JvmRun.Result r = run.run(120);
        assertTrue(r.exitCode() == 0, r.describe());
        return r.stdout();
    }

    private static long count(Path file, String event) throws IOException {
        return RecordingFile.readAllEvents(file).stream().filter(e -> e.getEventType().getName().equals(event)).count();
    }

    /**
     * Share of samples whose stack contains each method: of all threads' samples, or (workloadOnly)
     * of the burner threads' samples only, which leaves out each profiler's own threads and the JIT.
     */
    private static Map<String, Double> shares(Path file, String event, String threadField, boolean workloadOnly)
            throws IOException {
        Map<String, Long> counts = new LinkedHashMap<>();
        METHODS.keySet().forEach(m -> counts.put(m, 0L));
        long total = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
            if (!e.getEventType().getName().equals(event) || e.getStackTrace() == null) {
                continue;
            }
            String thread = e.getThread(threadField) == null ? null : e.getThread(threadField).getJavaName();
            if (workloadOnly && (thread == null || !List.of("burn-direct", "burn-inlined", "zlib").contains(thread))) {
                continue;
            }
            total++;
            for (Map.Entry<String, String> m : METHODS.entrySet()) {
                for (RecordedFrame f : e.getStackTrace().getFrames()) {
                    if ((f.getMethod().getType().getName() + "." + f.getMethod().getName()).equals(m.getValue())) {
                        counts.merge(m.getKey(), 1L, Long::sum);
                        break;
                    }
                }
            }
        }
        Map<String, Double> shares = new LinkedHashMap<>();
        long all = Math.max(total, 1);
        counts.forEach((m, c) -> shares.put(m, c / (double) all));
        return shares;
    }

    /** async-profiler's native library, from its jar on the test class path (pom.xml). */
    private static Path asyncProfiler() throws IOException {
        Path dir = Files.createTempDirectory("kfr-async-profiler");
        Path so = dir.resolve("libasyncProfiler.so");
        try (var in = CpuSamplerBench.class.getResourceAsStream("/linux-x64/libasyncProfiler.so")) {
            assertTrue(in != null, "async-profiler's linux-x64 library is not on the test class path");
            Files.copy(in, so);
        }
        return so;
    }

    private static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        Collections.sort(s);
        return s.get(s.size() / 2);
    }
}
