package io.kfr.it.offcpu;

import io.kfr.it.support.Jdk;
import io.kfr.it.support.JvmRun;
import io.kfr.it.support.workload.WakerTruth;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Who woke the short waits the kernel sums: on WakerTruth with a threshold far above its 5 ms waits,
 * every wait of the waiter is summed, and the sums are kept per waker. Each round's release ends one
 * wait of the waiter: the waiter's summed waits in state S must name the known waker thread for at
 * least 95% of the rounds in every scenario (its other waits, for its own start and end, are woken
 * by other threads), and the sums must count at least one wait per round (the waker split loses
 * nothing).
 */
class AggregatedWakerTest {
    private static final double MIN_SHARE = 0.95;

    @Test
    void summedShortWaitsNameTheirWaker() throws Exception {
        Path dir = Files.createTempDirectory("kfr-it-aggwaker");
        Path file = dir.resolve("aggwaker.jfr");
        JvmRun.Result run = JvmRun.on(Jdk.JDK17).agent("offcpu,offcpu.threshold=2s,file=" + file)
                .main(WakerTruth.class, "60").run(180);
        assertEquals(0, run.exitCode(), run.describe());
        List<String[]> pairs = new ArrayList<>();
        for (String line : run.stdout().split("\n")) {
            if (line.startsWith("KFR-WAKER ")) {
                pairs.add(line.trim().split(" "));
            }
        }
        assertEquals(4, pairs.size(), run.describe());

        List<RecordedEvent> sums = new ArrayList<>();
        int single = 0;
        try (RecordingFile rf = new RecordingFile(file)) {
            while (rf.hasMoreEvents()) {
                RecordedEvent e = rf.readEvent();
                if (e.getEventType().getName().equals("kfr.OffCpu")) {
                    if (e.getBoolean("aggregated")) {
                        sums.add(e);
                    } else {
                        single++;
                    }
                }
            }
        }
        StringBuilder failures = new StringBuilder();
        for (String[] p : pairs) {
            String scenario = p[1];
            long waiter = Long.parseLong(p[2]);
            long waker = Long.parseLong(p[3]);
            int rounds = Integer.parseInt(p[5]);
            long count = 0;
            long byWaker = 0;
            long otherThreads = 0;
            for (RecordedEvent e : sums) {
                if (e.getThread() == null || e.getThread().getOSThreadId() != waiter || !"S".equals(e.getString("state"))) {
                    continue;
                }
                long n = e.getLong("count");
                count += n;
                RecordedThread w = e.getValue("wakerThread");
                if (w != null && w.getOSThreadId() == waker) {
                    assertEquals("thread", e.getString("waker"), "a summed wait woken by a thread of the JVM");
                    byWaker += n;
                } else if (w != null) {
                    otherThreads += n;
                }
            }
            System.out.printf("aggregated waker %s: %d summed waits of the waiter, %d (%.1f%%) named the waker,"
                    + " %d another thread%n", scenario, count, byWaker, 100.0 * byWaker / Math.max(1, count), otherThreads);
            if (count < rounds || byWaker < MIN_SHARE * rounds) {
                failures.append(String.format("%s: %d summed waits (rounds %d), %d by the waker%n", scenario, count,
                        rounds, byWaker));
            }
        }
        assertTrue(failures.isEmpty(), failures + "(" + single + " intervals recorded one by one)");
    }
}
