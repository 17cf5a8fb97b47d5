package io.kfr.it.report;

import io.kfr.it.support.Jdk;
import io.kfr.it.support.JvmRun;
import io.kfr.it.support.WorkloadClasses;
import io.kfr.it.support.workload.RulesWorkload;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A recording of {@link RulesWorkload} with kfr's offcpu and cpu collectors, made once per JDK. */
final class RulesRecording {
    private static final Map<Jdk, Path> CACHE = new EnumMap<>(Jdk.class);

    private RulesRecording() {
    }

    static synchronized Path of(Jdk jdk) throws Exception {
        Path file = CACHE.get(jdk);
        if (file == null) {
            Path dir = Files.createTempDirectory("kfr-it-rules-" + jdk.name().toLowerCase());
            file = dir.resolve("rules.jfr");
            JvmRun.Result run = JvmRun.on(jdk).agent("offcpu,cpu,file=" + file).jvmArg("-Dkfr.rules.dir=" + dir)
                    .classpath(WorkloadClasses.copyTo(dir, RulesWorkload.class)).main(RulesWorkload.class, "3").run(90);
            assertEquals(0, run.exitCode(), run.describe());
            assertTrue(run.stdout().contains("RULES-WORKLOAD-DONE"), run.describe());
            assertTrue(Files.isRegularFile(file), "no recording written\n" + run.describe());
            CACHE.put(jdk, file);
        }
        return file;
    }
}
