package io.kfr.jfr;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Real recordings of JDK 17 and JDK 25 child JVMs running {@link SleepyMain} (default settings) or
 * {@link BusyMain} (profile settings: the JVM's own jdk.ExecutionSample events), made once per
 * test run and shared by the test classes.
 */
final class JvmRecordings {
    record Recording(int feature, Path jdkHome, Path file, int mainTid) {
        Path jfrTool() {
            return jdkHome.resolve("bin/jfr");
        }

        Path java() {
            return jdkHome.resolve("bin/java");
        }
    }

    private static final Map<String, Recording> RECORDINGS = new HashMap<>();

    private JvmRecordings() {
    }

    static Path jdkHome(int feature) {
        String home = System.getProperty("kfr.jdk" + feature + ".home");
        if (home == null || home.isBlank()) {
            home = feature == 17 ? "/usr/lib/jvm/java-17-openjdk-amd64" : "/usr/lib/jvm/temurin-25-jdk-amd64";
        }
        return Path.of(home);
    }

    static Path testClasses() {
        try {
            return Path.of(SleepyMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Path workDir() throws IOException {
        Path dir = testClasses().getParent().resolve("kfr-test-work");
        Files.createDirectories(dir);
        return dir;
    }

    static Recording of(int feature) throws IOException, InterruptedException {
        return recording(feature, "jvm", "default", SleepyMain.class);
    }

    /** A JVM that ran Java code on main, sampled by its own jdk.ExecutionSample (profile: every 10 ms). */
    static Recording busy(int feature) throws IOException, InterruptedException {
        return recording(feature, "busy", "profile", BusyMain.class);
    }

    private static synchronized Recording recording(int feature, String name, String settings, Class<?> main)
            throws IOException, InterruptedException {
        String key = name + feature;
        Recording r = RECORDINGS.get(key);
        if (r == null) {
            r = record(feature, workDir().resolve(key + ".jfr"), settings, main);
            RECORDINGS.put(key, r);
        }
        return r;
    }

    private static Recording record(int feature, Path file, String settings, Class<?> main)
            throws IOException, InterruptedException {
        Path home = jdkHome(feature);
        Files.deleteIfExists(file);
        List<String> cmd = List.of(home.resolve("bin/java").toString(),
                "-XX:StartFlightRecording=filename=" + file + ",settings=" + settings, "-Xlog:jfr*=warning",
                "-cp", testClasses().toString(), main.getName());
        Processes.Result result = Processes.runOk(workDir(), cmd);
        int tid = result.stdout().lines().filter(l -> l.startsWith("TID ")).mapToInt(l -> Integer.parseInt(l.substring(4).trim()))
                .findFirst().orElseThrow(() -> new AssertionError("no TID line: " + result.stdout()));
        if (!Files.isRegularFile(file) || Files.size(file) < ChunkLayout.HEADER_SIZE) {
            throw new AssertionError("JDK " + feature + " wrote no recording: " + result.stderr());
        }
        return new Recording(feature, home, file, tid);
    }
}
