package io.kfr.it;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `java -jar kfr-agent.jar summary`: each thread's main cause names the Java code that blocked. */
class SummaryTest {

    @ParameterizedTest
    @EnumSource(Jdk.class)
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
}
