package io.kfr.it.report;

import io.kfr.it.support.Jdk;
import io.kfr.it.support.JvmRun;
import io.kfr.it.support.ReadBack;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The quick start's main job, `java -jar kfr-agent.jar demo`: a recording, a summary that names the
 * demo's blocking methods, and the report page with kfr's findings and both flame graphs.
 */
class DemoTest {

    @Test
    void demoWritesRecordingSummaryAndPage() throws Exception {
        Path dir = Files.createTempDirectory("kfr-it-demo");
        Path jfr = dir.resolve("demo.jfr");
        Process p = new ProcessBuilder(List.of(Jdk.JDK17.java().toString(), "-jar", JvmRun.AGENT_JAR.toString(), "demo",
                jfr.toString())).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), out);
        assertEquals(0, p.exitValue(), out);

        ReadBack file = ReadBack.read(jfr);
        assertTrue(file.eventCounts.getOrDefault("kfr.OffCpu", 0L) > 0, "off-CPU events: " + file.eventCounts);
        assertTrue(file.eventCounts.getOrDefault("kfr.CpuSample", 0L) > 0, "CPU samples: " + file.eventCounts);
        String fsync = out.lines().filter(l -> l.startsWith("demo-fsync")).findFirst().orElse("");
        assertTrue(fsync.contains("fsync") && fsync.contains("DemoWorkload."), "demo-fsync line: " + fsync + "\n" + out);

        Path page = dir.resolve("demo.html");
        assertTrue(Files.isRegularFile(page), "the report page next to the recording\n" + out);
        String html = Files.readString(page);
        for (String id : List.of("KfrOffCpu", "KfrCpuOutsideJava", "KfrCollectorHealth")) {
            assertTrue(html.contains(id), "the page shows kfr's rule " + id);
        }
        assertTrue(html.contains("DemoWorkload.socketReader"), "the flame graph data names the demo's methods");
    }
}
