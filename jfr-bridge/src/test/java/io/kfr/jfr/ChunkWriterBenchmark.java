package io.kfr.jfr;

import io.kfr.events.KfrEventNames;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kfr.collectors.OffCpuSample;
import io.kfr.collectors.OffCpuState;
import io.kfr.collectors.ThreadRef;

import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import jdk.jfr.consumer.RecordingFile;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Time to merge a chunk of 2 million events, spooled in three orders: TestSamples' (by start time,
 * durations up to 5 ms), kfr's (each interval at its end, aggregated samples at the end of their
 * period: nearly in end order), shuffled. Not a test; run on demand:
 * {@code mvn -o -q -pl native,collectors,jfr-bridge test -Dtest=ChunkWriterBenchmark
 * -Dsurefire.failIfNoSpecifiedTests=false -Dkfr.bench=true}
 */
@EnabledIfSystemProperty(named = "kfr.bench", matches = "true")
class ChunkWriterBenchmark {
    private static final int EVENTS = 2_000_000;

    @TempDir
    Path dir;

    @Test
    void merge2MillionEvents() throws Exception {
        JvmRecordings.Recording jvm = JvmRecordings.of(17);
        TimeBase tb = TimeBase.ofFirstChunk(jvm.file());
        run("TestSamples order (by start)", jvm, new TestSamples(tb, jvm.mainTid(), EVENTS).offCpu);
        run("kfr-like (switch-in order, aggregated at period end)", jvm, kfrLike(tb));
        List<OffCpuSample> shuffled = new ArrayList<>(new TestSamples(tb, jvm.mainTid(), EVENTS).offCpu);
        Collections.shuffle(shuffled, new Random(1));
        run("shuffled", jvm, shuffled);
    }

    private void run(String name, JvmRecordings.Recording jvm, List<OffCpuSample> samples) throws Exception {
        try (KfrChunk chunk = new KfrChunk(dir.resolve("spool"))) {
            samples.forEach(chunk::addOffCpu);
            Path target = dir.resolve("bench.jfr");
            long best = Long.MAX_VALUE;
            for (int i = 0; i < 5; i++) {
                long t0 = System.nanoTime();
                JfrFiles.mergeAtomically(jvm.file(), chunk, target);
                best = Math.min(best, System.nanoTime() - t0);
            }
            long bestWrite = Long.MAX_VALUE;
            for (int i = 0; i < 5; i++) {
                long t0 = System.nanoTime();
                try (OutputStream out = new BufferedOutputStream(OutputStream.nullOutputStream(), 256 * 1024)) {
                    chunk.writeChunk(out, TimeBase.ofFirstChunk(jvm.file()));
                }
                bestWrite = Math.min(bestWrite, System.nanoTime() - t0);
            }
            System.out.printf("kfr bench %-55s %d events: mergeAtomically %d ms, writeChunk %d ms (best of 5), spool %d MB%n",
                    name, samples.size(), best / 1_000_000, bestWrite / 1_000_000,
                    Files.size(target) / (1024 * 1024));
            long n;
            try (RecordingFile rf = new RecordingFile(target)) {
                n = 0;
                while (rf.hasMoreEvents()) {
                    if (rf.readEvent().getEventType().getName().equals(KfrEventNames.OFF_CPU)) {
                        n++;
                    }
                }
            }
            assertEquals(samples.size(), n);
        }
    }

    /**
     * 8 threads; each interval is spooled at its end (switch-in), aggregated samples (start = the
     * 1 s drain period's start, duration summed) at the end of each period.
     */
    private static List<OffCpuSample> kfrLike(TimeBase tb) {
        Random r = new Random(7);
        ThreadRef[] threads = new ThreadRef[8];
        for (int i = 0; i < threads.length; i++) {
            threads[i] = new ThreadRef(800_000 + i, "t" + i, 10 + i, "t" + i);
        }
        List<OffCpuSample> out = new ArrayList<>(EVENTS);
        long period = 1_000_000_000L;
        long t = tb.startNanos() + 1_000_000;
        long periodStart = t;
        List<OffCpuSample> pending = new ArrayList<>();
        while (out.size() < EVENTS) {
            t += 2_000 + r.nextInt(20_000);
            long duration = r.nextInt(10) == 0 ? r.nextInt(50_000_000) : 1_000 + r.nextInt(100_000);
            ThreadRef th = threads[r.nextInt(threads.length)];
            if (r.nextInt(4) == 0) {
                pending.add(new OffCpuSample(th, periodStart, duration * 3, OffCpuState.S, 202, "futex", 3, true,
                        TestSamples.FULL));
            } else {
                out.add(new OffCpuSample(th, t - duration, duration, OffCpuState.S, 202, "futex", 1, false, TestSamples.FULL));
            }
            if (t - periodStart >= period) {
                out.addAll(pending.subList(0, Math.min(pending.size(), EVENTS - out.size())));
                pending.clear();
                periodStart = t;
            }
        }
        return out;
    }
}
