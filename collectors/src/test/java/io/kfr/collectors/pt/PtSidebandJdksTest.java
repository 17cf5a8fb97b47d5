package io.kfr.collectors.pt;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sideband in child JVMs of JDK 11, 17, 21 and 25 (those present): PtSidebandProbe's check,
 * compiled for Java 11 here (the test classes are Java 17's).
 */
class PtSidebandJdksTest {
    static final Path SOURCES = Path.of("src/test/java/io/kfr/collectors/pt").toAbsolutePath();

    @TempDir
    static Path classes;

    static List<String> jdks() {
        List<String> homes = new ArrayList<>();
        for (String h : List.of("/opt/kfr-jdks/jdk11", System.getProperty("java.home"), "/opt/kfr-jdks/jdk21",
                "/usr/lib/jvm/temurin-25-jdk-amd64")) {
            if (Files.isExecutable(Path.of(h, "bin", "java"))) {
                homes.add(h);
            }
        }
        return homes;
    }

    /** PtSidebandProbe and the class it unloads, for Java 11, into a directory of their own. */
    static synchronized Path compiled() throws Exception {
        Path out = classes.resolve("probe");
        if (!Files.isDirectory(out)) {
            JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
            int rc = javac.run(null, null, null, "--release", "11", "-d", out.toString(),
                    "-cp", System.getProperty("java.class.path"),
                    SOURCES.resolve("PtSidebandProbe.java").toString(), SOURCES.resolve("PtSidebandUnloadable.java").toString());
            assertEquals(0, rc, "javac --release 11 of the probe");
        }
        return out;
    }

    static String run(String javaHome, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(javaHome, "bin", "java").toString(),
                "-cp", compiled() + File.pathSeparator + System.getProperty("java.class.path"), PtSidebandProbe.class.getName()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        boolean done = p.waitFor(120, TimeUnit.SECONDS);
        String out = new String(p.getInputStream().readAllBytes());
        if (!done) {
            p.destroyForcibly();
        }
        assertTrue(done && p.exitValue() == 0, () -> javaHome + ": " + out);
        return out;
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void theSidebandRecordsLoadsUnloadsAndStubsOnThisJdk(String javaHome) throws Exception {
        String out = run(javaHome, "check");
        assertTrue(!out.contains("FAIL") && out.contains("ok stopped and freed"), javaHome + ": " + out);
        System.out.println("PtSidebandJdksTest " + javaHome + ":\n" + out);
    }
}
