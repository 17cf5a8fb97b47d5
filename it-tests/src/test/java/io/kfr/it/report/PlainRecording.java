package io.kfr.it.report;

import io.kfr.it.support.Jdk;
import io.kfr.it.support.JvmRun;
import io.kfr.it.support.workload.Sleepy;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A JVM's own recording without kfr (JDK 17, -XX:StartFlightRecording of a short workload), made
 * once and shared by the tests of what the rules and the report do without kfr's events.
 */
final class PlainRecording {
    private static Path file;

    private PlainRecording() {
    }

    static synchronized Path file() throws Exception {
        if (file == null) {
            Path f = Files.createTempDirectory("kfr-it-plain").resolve("plain.jfr");
            JvmRun.Result run = JvmRun.on(Jdk.JDK17).jvmArg("-XX:StartFlightRecording=filename=" + f)
                    .main(Sleepy.class).run(60);
            assertEquals(0, run.exitCode(), run.describe());
            file = f;
        }
        return file;
    }
}
