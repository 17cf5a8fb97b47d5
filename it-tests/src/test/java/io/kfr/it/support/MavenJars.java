package io.kfr.it.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Jars of a real application from Maven Central, resolved by Maven (with their runtime
 * dependencies) into a folder of their own once, so an application runs on its own class path
 * rather than the tests'.
 */
public final class MavenJars {
    private MavenJars() {
    }

    /** {@code dir}/lib with the pom's runtime dependencies; resolved only when lib is missing or empty. */
    public static Path resolve(Path dir, String pom) throws IOException, InterruptedException {
        Path lib = dir.resolve("lib");
        boolean empty;
        try (Stream<Path> s = Files.isDirectory(lib) ? Files.list(lib) : Stream.empty()) {
            empty = s.findAny().isEmpty();
        }
        if (empty) {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("pom.xml"), pom);
            run(dir, List.of("mvn", "-B", "-ntp", "-q", "dependency:copy-dependencies", "-DoutputDirectory=" + lib,
                    "-DincludeScope=runtime"), 600);
        }
        return lib;
    }

    /** Runs a set-up command in {@code dir}; its output goes to dir/setup.log. */
    public static void run(Path dir, List<String> command, int timeoutS) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("setup.log").toFile()).start();
        if (!p.waitFor(timeoutS, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + " failed; see " + dir.resolve("setup.log"));
        }
    }
}
