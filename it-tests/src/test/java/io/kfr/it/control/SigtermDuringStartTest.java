package io.kfr.it.control;

import io.kfr.it.support.Jdk;
import io.kfr.it.support.JvmRun;
import io.kfr.it.support.workload.Sleepy;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGTERM while kfr starts (premain, then its collectors loading their BPF programs in the
 * background): the JVM exits as it would without kfr (143), with no exception from kfr
 * ("IllegalStateException: Shutdown in progress" before) and at most one kfr line about it. The
 * signal is sent at delays across the whole start, so that some land inside kfr's.
 */
class SigtermDuringStartTest {
    @Test
    void sigtermWhileKfrStartsExitsAsTheJvmWould() throws Exception {
        Path out = Files.createTempDirectory("kfr-it-sigterm");
        List<String> hits = new ArrayList<>();
        for (int delayMs = 60; delayMs <= 2400; delayMs += 60) {
            Path log = out.resolve("run-" + delayMs + ".log");
            Process p = new ProcessBuilder(Jdk.JDK17.java().toString(),
                    "-javaagent:" + JvmRun.AGENT_JAR + "=file=" + out.resolve("f" + delayMs + ".jfr"),
                    "-cp", Path.of("target/test-classes").toAbsolutePath().toString(), Sleepy.class.getName())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            Thread.sleep(delayMs);
            p.destroy(); // SIGTERM
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            String text = Files.readString(log);
            String what = "SIGTERM after " + delayMs + " ms:\n" + text;
            assertFalse(text.contains("Exception"), what);
            assertFalse(text.contains("\tat "), "no stack trace: " + what);
            if (!text.contains("WORKLOAD-DONE")) {
                assertEquals(143, p.exitValue(), "exits as a JVM on SIGTERM: " + what);
            }
            long aboutStop = text.lines().filter(l -> l.startsWith("kfr: ") && (l.contains("shutting down")
                    || l.contains("still starting"))).count();
            assertTrue(aboutStop <= 1, "one line at most: " + what);
            if (aboutStop == 1) {
                hits.add(delayMs + " ms");
            }
        }
        System.out.println("SIGTERM landed in kfr's start at: " + hits);
        assertFalse(hits.isEmpty(), "no delay landed while kfr started: the test did not test it");
        try (var files = Files.list(out)) {
            files.forEach(f -> f.toFile().delete());
        }
        Files.delete(out);
    }
}
