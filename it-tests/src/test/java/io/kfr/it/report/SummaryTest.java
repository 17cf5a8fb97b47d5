package io.kfr.it.report;

import io.kfr.it.support.GroundTruthRecording;
import io.kfr.it.support.Jdk;
import io.kfr.it.support.JvmRun;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `java -jar kfr-agent.jar summary`: each thread's main cause names the Java code that blocked. */
class SummaryTest {

    @ParameterizedTest
    @MethodSource("io.kfr.it.support.Jdk#everyTest")
    void mainCauseNamesTheBlockingJavaMethod(Jdk jdk) throws Exception {
        GroundTruthRecording rec = GroundTruthRecording.of(jdk);
        Process p = new ProcessBuilder(List.of(jdk.java().toString(), "-jar", JvmRun.AGENT_JAR.toString(), "summary",
                rec.file.toString())).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        String sleeper = out.lines().filter(l -> l.startsWith("truth-sleeper")).findFirst().orElse("");
        // syscall, kernel function, native frame, then the workload's own frame
        assertTrue(sleeper.contains("futex") && sleeper.contains("GroundTruth.lambda$main$"), "truth-sleeper line: "
                + sleeper + "\n" + out);
        String fsync = out.lines().filter(l -> l.startsWith("truth-fsync")).findFirst().orElse("");
        assertTrue(fsync.contains("fsync") && fsync.contains("GroundTruth."), "truth-fsync line: " + fsync + "\n" + out);
    }

    /** Findings first; --thread and --state narrow the tables to the threads and states asked for; --help. */
    @ParameterizedTest
    @MethodSource("io.kfr.it.support.Jdk#everyTest")
    void findingsFirstAndFilters(Jdk jdk) throws Exception {
        GroundTruthRecording rec = GroundTruthRecording.of(jdk);
        String all = summary(jdk, 0, rec.file.toString());
        assertTrue(all.indexOf("findings") > 0 && all.indexOf("findings") < all.indexOf("thread (tid)"),
                "findings before the thread table:\n" + all);
        String fsync = summary(jdk, 0, "--thread", "truth-fsync", "--state", "D", rec.file.toString());
        List<String> rows = fsync.lines().filter(l -> l.matches("^\\S.* \\(\\d+\\) .*ms.*")).toList();
        assertTrue(!rows.isEmpty() && rows.stream().allMatch(l -> l.startsWith("truth-fsync (")),
                "only truth-fsync's rows:\n" + fsync);
        assertTrue(rows.stream().allMatch(l -> l.contains(" 0.0 ms ")), "only state D counted (S and R 0):\n" + fsync);
        String help = summary(jdk, 0, "--help");
        assertTrue(help.contains("--thread") && help.contains("--state") && help.contains("--from"), help);
        summary(jdk, 2, "--state", "X", rec.file.toString());
    }

    private static String summary(Jdk jdk, int exitCode, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(jdk.java().toString(), "-jar", JvmRun.AGENT_JAR.toString(),
                "summary"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(exitCode, p.exitValue(), out);
        return out;
    }
}
