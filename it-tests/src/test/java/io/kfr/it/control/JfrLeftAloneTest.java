package io.kfr.it.control;

import io.kfr.it.support.Jdk;
import io.kfr.it.support.JvmRun;
import io.kfr.it.support.workload.Sleepy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Options that need no JVM recording (no file=, no CPU samples as jdk.ExecutionSample) leave JFR
 * alone: kfr neither starts a recording nor asks the recorder anything, because merely asking
 * (FlightRecorder.getFlightRecorder()) starts JFR, about half a second of a JVM's start on 2 CPUs.
 * A refactoring that asked every time made a 0.2 s JVM with `offcpu` take +660 ms instead of
 * +150 ms; this checks the cause (JFR's recorder class never loads), not a time.
 */
class JfrLeftAloneTest {
    @TempDir
    Path dir;

    @Test
    void offCpuAloneNeverStartsJfr() throws Exception {
        Path log = dir.resolve("classes.log");
        JvmRun.Result r = JvmRun.on(Jdk.JDK17).agent("offcpu").jvmArg("-Xlog:class+load=info:file=" + log)
                .main(Sleepy.class).run(120);
        assertEquals(0, r.exitCode(), r.describe());
        assertTrue(r.stdout().contains("WORKLOAD-DONE"), r.describe());
        String loaded = Files.readString(log);
        assertTrue(loaded.contains("io.kfr.agent.Session "), "the log holds kfr's classes: the agent ran\n" + r.describe());
        assertFalse(loaded.contains("jdk.jfr.internal.PlatformRecorder "), "kfr started JFR with only offcpu\n" + r.describe());
    }
}
