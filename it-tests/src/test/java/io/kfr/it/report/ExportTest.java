package io.kfr.it.report;

import io.kfr.it.support.Jdk;
import io.kfr.it.support.JvmRun;
import io.kfr.it.support.workload.Steady;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code export=pprof,export.period=1s}: a real workload under the agent (Steady: a sleeper, a
 * parker, a CPU burner) writes one profile per period next to its .jfr. Go's pprof reads every rotated file; their off-CPU and CPU totals add up
 * to kfr's own totals in the .jfr (read with JMC's parser) within 2%; no temporary file is left
 * and export.keep bounds what stays.
 */
class ExportTest {
    private static final double TOLERANCE = 0.02;

    @Test
    void rotatedFilesAddUpToTheRecording() throws Exception {
        Path dir = Files.createTempDirectory("kfr-it-export");
        Path jfr = dir.resolve("truth.jfr");
        Path exportDir = dir.resolve("profiles");
        // a sleeper, a parker and a burner for 6 s once kfr runs (Steady exits with 3 when its time is up)
        JvmRun.Result run = JvmRun.on(Jdk.JDK17).agent("offcpu,cpu,offcpu.threshold=1us,file=" + jfr
                + ",export=pprof,export.dir=" + exportDir + ",export.period=1s,export.keep=1000").main(Steady.class, "6")
                .run(120);
        assertEquals(3, run.exitCode(), run.describe());
        List<Path> files;
        try (Stream<Path> s = Files.list(exportDir)) {
            files = s.sorted().toList();
        }
        assertTrue(files.stream().allMatch(f -> f.getFileName().toString().matches("kfr-\\d+-\\d{6}-\\d{8}T\\d{6}Z\\.pb\\.gz")),
                "only finished profiles, no temporary files: " + files);
        KfrTotals totals = KfrTotals.read(jfr);
        long offCpu = 0;
        long cpu = 0;
        int withData = 0;
        for (Path f : files) {
            long fileOffCpu = GoPprof.top(f, "off_cpu").total();
            offCpu += fileOffCpu;
            cpu += GoPprof.top(f, "cpu").total();
            withData += fileOffCpu > 0 ? 1 : 0;
        }
        System.out.printf("export: %d rotated files (%d with off-CPU data); go tool pprof off_cpu %d ns (kfr %d ns),"
                + " cpu %d ns (kfr %d ns)%n", files.size(), withData, offCpu, totals.total.get("off_cpu"), cpu,
                totals.total.get("cpu"));
        assertTrue(withData >= 2, "at least two periods with data: " + files + "\n" + run.describe());
        assertWithin(offCpu, totals.total.get("off_cpu"), "off_cpu over " + files.size() + " files");
        assertWithin(cpu, totals.total.get("cpu"), "cpu over " + files.size() + " files");
    }

    /** export.keep=2: a run that writes more periods leaves this JVM's newest two. */
    @Test
    void keepBoundsTheFiles() throws Exception {
        Path exportDir = Files.createTempDirectory("kfr-it-export-keep");
        JvmRun.Result run = JvmRun.on(Jdk.JDK17).agent("offcpu,export=otlp,export.dir=" + exportDir
                + ",export.period=1s,export.keep=2").main(Steady.class, "4").run(120);
        assertEquals(3, run.exitCode(), run.describe());
        List<Path> files;
        try (Stream<Path> s = Files.list(exportDir)) {
            files = s.sorted().toList();
        }
        assertEquals(2, files.size(), files + "\n" + run.describe());
        assertTrue(files.get(1).getFileName().toString().matches("kfr-\\d+-\\d{6}-.*\\.otlp"), files.toString());
        // the newest two of a sequence that went past them
        int last = Integer.parseInt(files.get(1).getFileName().toString().split("-")[2]);
        assertTrue(last > 2, "more periods were written than kept: " + files);
        for (Path f : files) {
            io.opentelemetry.proto.collector.profiles.v1development.ExportProfilesServiceRequest.parseFrom(Files.readAllBytes(f));
        }
    }

    private static void assertWithin(long actual, long expected, String context) {
        double error = expected == 0 ? (actual == 0 ? 0 : 1) : Math.abs(actual - expected) / (double) expected;
        assertTrue(error <= TOLERANCE, String.format("%d vs kfr's %d (%.2f%% off): %s", actual, expected, error * 100,
                context));
    }
}
