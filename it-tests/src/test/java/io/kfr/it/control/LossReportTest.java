package io.kfr.it.control;

import io.kfr.it.support.Jdk;
import io.kfr.it.support.JvmRun;
import io.kfr.it.support.ReadBack;
import io.kfr.it.support.workload.SwitchStorm;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Nothing is lost silently: a context-switch storm with every interval an event (threshold 1 us)
 * overruns the ring buffer; kfr says so while it happens (once: at most one line a minute), and the
 * exit line says what was lost, matching the final statistics in the file.
 */
class LossReportTest {
    @Test
    void lossesAreSaidWhileTheyHappenAndAtExit() throws Exception {
        Path file = Files.createTempDirectory("kfr-it-loss").resolve("loss.jfr");
        JvmRun.Result r = JvmRun.on(Jdk.JDK17).agent("offcpu.threshold=1us,file=" + file)
                .main(SwitchStorm.class, "8", "1", "4").run(120);
        assertEquals(0, r.exitCode(), r.describe());
        List<String> live = r.kfrLines().stream().filter(l -> l.contains("is losing records")).toList();
        assertEquals(1, live.size(), "one line while it happens, none more within a minute\n" + r.describe());
        assertTrue(live.get(0).contains("ring buffer full") && live.get(0).contains("offcpu.threshold"), live.get(0));
        String wrote = r.kfrLines().stream().filter(l -> l.startsWith("kfr: wrote")).findFirst()
                .orElseThrow(() -> new AssertionError(r.describe()));
        ReadBack back = ReadBack.read(file);
        long lost = back.finalStatistics.getLong("recordsLost");
        assertTrue(lost > 0, back.format());
        assertTrue(wrote.contains(lost + " long intervals only summed (ring buffer full)"),
                "the exit line says what the file's final statistics count: " + lost + "\n" + wrote);
    }
}
