package io.kfr.collectors.pt;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sideband's bounds and the timed image's answers, in C without a JVM (native/test/
 * pt_sideband_test.c): 70 000 loads into the 65 536-record ring (the oldest dropped, counted), as
 * many unloads (each with its load's size from the live map, its bytes copied until 8 MB are held,
 * then counted), a cut stub name, stop freeing all; versions and changes answered by trace time.
 */
class PtSidebandNativeTest {
    @Test
    void boundsAndTimedAnswers() throws Exception {
        Path tool = PtDecodeTraces.TOOLS.resolve("pt_sideband_test");
        assertTrue(Files.isExecutable(tool), tool + " not built (native/Makefile pt-test-tools)");
        Process p = new ProcessBuilder(tool.toString()).redirectErrorStream(true).start();
        boolean done = p.waitFor(60, TimeUnit.SECONDS);
        String out = new String(p.getInputStream().readAllBytes());
        if (!done) {
            p.destroyForcibly();
        }
        System.out.println("PtSidebandNativeTest:\n" + out);
        assertTrue(done && p.exitValue() == 0 && out.contains("pt sideband test passed") && !out.contains("FAIL"), out);
    }
}
