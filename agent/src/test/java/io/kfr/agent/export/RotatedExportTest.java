package io.kfr.agent.export;

import io.kfr.agent.OptionException;
import io.kfr.agent.collectors.offcpu.OffCpuKind;
import io.kfr.collectors.Frame;
import io.kfr.collectors.FrameType;
import io.kfr.collectors.OffCpuSample;
import io.kfr.collectors.OffCpuState;
import io.kfr.collectors.StackTrace;
import io.kfr.collectors.ThreadRef;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rotated export's files, written as folded stacks (the format whose arithmetic a test can do
 * by hand): each period's lines sum to exactly the time fed in that period, names sort in time
 * order, no temporary file stays, export.keep bounds the files, and past the per-period bound of
 * distinct stacks the time still counts.
 */
class RotatedExportTest {
    @org.junit.jupiter.api.io.TempDir
    Path tmp;

    private static final ThreadRef THREAD = new ThreadRef(4242, "worker-1", 7, "worker-1");

    private static StackTrace stack(String method) {
        return new StackTrace(List.of(Frame.kernel("schedule"), Frame.nativeCode("libc.so.6", "clock_nanosleep", false),
                new Frame("com.example.App", method, "()V", FrameType.JIT_COMPILED, 12, 3)), false);
    }

    private static OffCpuSample sample(StackTrace stack, long nanos) {
        return new OffCpuSample(THREAD, System.currentTimeMillis() * 1_000_000L, nanos, OffCpuState.S, 230,
                "clock_nanosleep", 1, false, stack);
    }

    private static ExportOptions options(Path dir, int keep) throws OptionException {
        Map<String, String> m = new HashMap<>();
        m.put("export", "collapsed");
        m.put("export.dir", dir.toString());
        m.put("export.period", "3600s"); // rotated by the test, not by the timer
        m.put("export.keep", String.valueOf(keep));
        return ExportOptions.of(m);
    }

    private static long sum(Path folded) throws IOException {
        return Files.readAllLines(folded).stream().mapToLong(l -> Long.parseLong(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    private static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().collect(Collectors.toList());
        }
    }

    @Test
    void eachPeriodHoldsItsOwnTimeAndKeepBoundsTheFiles() throws Exception {
        Path dir = tmp.resolve("kfr-export-test");
        Files.createDirectories(dir);
        RotatedExport export = RotatedExport.start(options(dir, 2), OffCpuKind.NAME::equals, UnaryOperator.identity());
        List<Long> fed = new ArrayList<>();
        List<Path> written = new ArrayList<>();
        for (int period = 1; period <= 4; period++) {
            long total = 0;
            for (int i = 0; i < 100 * period; i++) {
                long nanos = 1_000_000L + i;
                export.addOffCpu(sample(stack(i % 2 == 0 ? "read" : "write"), nanos), i);
                total += nanos;
            }
            fed.add(total);
            Path f = export.rotate();
            written.add(f);
            assertEquals(total, sum(f), "period " + period);
        }
        export.close(); // the last, empty period
        List<Path> left = files(dir);
        assertEquals(2, left.size(), left.toString());
        assertTrue(left.stream().allMatch(p -> p.getFileName().toString().matches("kfr-\\d+-\\d{6}-\\d{8}T\\d{6}Z\\.folded")),
                left.toString());
        assertEquals(written.get(3), left.get(0), "the newest files stay: " + left);
        assertEquals(0, sum(left.get(1)), "closing wrote the period after the last rotation");
        List<String> lines = Files.readAllLines(written.get(3));
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("com.example.App.read:12;clock_nanosleep;schedule ")), lines.toString());
    }

    @Test
    void pastTheBoundOfDistinctStacksTimeStillCounts() throws Exception {
        Path dir = tmp.resolve("kfr-export-bound");
        Files.createDirectories(dir);
        RotatedExport export = RotatedExport.start(options(dir, 10), OffCpuKind.NAME::equals, UnaryOperator.identity());
        long total = 0;
        int distinct = RotatedExport.MAX_SAMPLES_PER_PERIOD + 500;
        for (int i = 0; i < distinct; i++) {
            export.addOffCpu(sample(stack("m" + i), 1000 + i), i);
            total += 1000 + i;
        }
        Path f = export.rotate();
        export.close();
        List<String> lines = Files.readAllLines(f);
        assertEquals(total, sum(f));
        assertEquals(RotatedExport.MAX_SAMPLES_PER_PERIOD + 1, lines.size(), "the bound, and one line for the rest");
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("[kfr: more distinct stacks")), "the rest is named");
    }

    /** The last period ends where kfr's chunk ends: samples numbered after the chunk's last event are left out. */
    @Test
    void samplesAfterTheChunksLastEventAreLeftOut() throws Exception {
        Path dir = tmp.resolve("kfr-export-cut");
        Files.createDirectories(dir);
        RotatedExport export = RotatedExport.start(options(dir, 10), OffCpuKind.NAME::equals, UnaryOperator.identity());
        long inChunk = 0;
        for (int i = 1; i <= 100; i++) {
            if (i == 61) {
                export.endAtChunkEvent(60); // the chunk was written after event 60
            }
            export.addOffCpu(sample(stack("run"), 1_000L * i), i);
            inChunk += i <= 60 ? 1_000L * i : 0;
        }
        Path f = export.rotate();
        export.close();
        assertEquals(inChunk, sum(f));
    }

    @Test
    void badOptionsAreOneLineEach() {
        List<Map<String, String>> bad = Arrays.asList(
                Map.of("export.dir", "/tmp"),
                Map.of("export", "svg", "export.dir", "/tmp"),
                Map.of("export", "pprof"),
                Map.of("export", "pprof", "export.dir", "/tmp", "export.period", "10ms"),
                Map.of("export", "pprof", "export.dir", "/tmp", "export.keep", "0"),
                Map.of("export", "pprof", "export.dir", "/tmp", "export.files", "3"));
        for (Map<String, String> m : bad) {
            OptionException e = assertThrows(OptionException.class, () -> ExportOptions.of(m), m.toString());
            assertTrue(!e.getMessage().contains("\n"), e.getMessage());
        }
    }
}
