package io.kfr.it.report;

import io.kfr.it.support.Jdk;
import io.kfr.it.support.JvmRun;
import io.kfr.it.support.workload.ReportWorkload;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A recording of {@link ReportWorkload} under the agent (off-CPU and CPU), made once per JDK and
 * shared by the report tests, with what the workload measured itself.
 */
final class ReportRecording {
    private static final Map<Jdk, ReportRecording> CACHE = new HashMap<>();

    final Jdk jdk;
    final Path dir;
    final Path file;
    /** Wall time the sleeper spent inside Thread.sleep. */
    final long sleptNanos;
    /** CPU time of the burner thread. */
    final long burnedNanos;

    private ReportRecording(Jdk jdk, Path dir, Path file, JvmRun.Result run) {
        this.jdk = jdk;
        this.dir = dir;
        this.file = file;
        this.sleptNanos = measured(run, "REPORT-SLEEP-NANOS");
        this.burnedNanos = measured(run, "REPORT-BURN-CPU-NANOS");
    }

    static synchronized ReportRecording of(Jdk jdk) throws Exception {
        ReportRecording r = CACHE.get(jdk);
        if (r == null) {
            Path dir = Files.createTempDirectory("kfr-it-report-" + jdk.name().toLowerCase());
            Path file = dir.resolve("report.jfr");
            JvmRun.Result run = JvmRun.on(jdk).agent("offcpu,cpu,file=" + file).main(ReportWorkload.class).run(120);
            assertEquals(0, run.exitCode(), run.describe());
            assertTrue(run.stdout().contains("REPORT-WORKLOAD-DONE"), run.describe());
            assertTrue(Files.isRegularFile(file) && Files.size(file) > 0, "no recording written\n" + run.describe());
            r = new ReportRecording(jdk, dir, file, run);
            CACHE.put(jdk, r);
        }
        return r;
    }

    private static long measured(JvmRun.Result run, String key) {
        return run.stdout().lines().filter(l -> l.startsWith(key + " ")).mapToLong(l -> Long.parseLong(l.substring(key.length() + 1)))
                .findFirst().orElseThrow(() -> new AssertionError("no " + key + " line\n" + run.describe()));
    }
}
