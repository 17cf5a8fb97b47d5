package io.kfr.it.support;

import io.kfr.it.support.workload.GroundTruth;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Recordings of the ground-truth workloads, made once per JDK and kind and shared by the tests that read them. */
public final class GroundTruthRecording {
    /** Which workload, under which agent options. */
    public enum Kind {
        /**
         * Sleep, park, monitor, fsync, with every interval recorded individually (threshold 1us), so
         * each can be placed inside the thread's measured window; a 200 ms period, so that several
         * kfr.OffCpuSummary periods land in the JVM's recording.
         */
        BLOCKING("offcpu.threshold=1us,offcpu.period=200ms", "sleep", "park", "monitor", "fsync"),
        /** Tens of thousands of short hand-offs under the default threshold: aggregated in the kernel. */
        SHORT_WAITS("", "handoff");

        final String options;
        final String[] scenarios;

        Kind(String options, String... scenarios) {
            this.options = options;
            this.scenarios = scenarios;
        }
    }

    private static final Map<String, GroundTruthRecording> CACHE = new HashMap<>();

    public final Jdk jdk;
    public final Path file;
    public final JvmRun.Result run;
    public final List<Truth> truths;

    private GroundTruthRecording(Jdk jdk, Path file, JvmRun.Result run) {
        this.jdk = jdk;
        this.file = file;
        this.run = run;
        this.truths = Truth.parse(run.stdout());
    }

    public static GroundTruthRecording of(Jdk jdk) throws Exception {
        return of(jdk, Kind.BLOCKING);
    }

    public static synchronized GroundTruthRecording of(Jdk jdk, Kind kind) throws Exception {
        String key = jdk + "/" + kind;
        GroundTruthRecording r = CACHE.get(key);
        if (r == null) {
            r = fresh(jdk, kind);
            CACHE.put(key, r);
        }
        return r;
    }

    /** A recording of its own (not shared): a test run again measures again. */
    public static GroundTruthRecording fresh(Jdk jdk, Kind kind) throws Exception {
        Path dir = Files.createTempDirectory("kfr-it-" + jdk.name().toLowerCase() + "-" + kind.name().toLowerCase());
        Path file = dir.resolve("truth.jfr");
        String options = "file=" + file + (kind.options.isEmpty() ? "" : "," + kind.options);
        JvmRun.Result run = runWorkload(jdk, options, kind.scenarios);
        assertTrue(Files.isRegularFile(file) && Files.size(file) > 0, "no recording written\n" + run.describe());
        return new GroundTruthRecording(jdk, file, run);
    }

    /** GroundTruth's scenarios under the agent with these options, on a disk slow enough to measure fsync. */
    public static JvmRun.Result runWorkload(Jdk jdk, String agentOptions, String... scenarios) throws Exception {
        JvmRun.Result run;
        // 8 MB/s of writes: each of the fsync scenario's 256 kB fsyncs waits ~30 ms on the disk
        try (SlowDisk disk = SlowDisk.throttleWrites(Path.of("/var/tmp"), 8L << 20)) {
            run = JvmRun.on(jdk).agent(agentOptions).inCgroup(disk.cgroup).main(GroundTruth.class, scenarios).run(120);
        }
        assertEquals(0, run.exitCode(), run.describe());
        assertTrue(run.stdout().contains("KFR-TRUTH-DONE"), run.describe());
        return run;
    }
}
