package io.kfr.it.report;

import io.kfr.it.support.Cli;
import io.kfr.it.support.Jdk;
import io.kfr.it.support.JvmRun;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarInputStream;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * JMC's libraries and the commands that read recordings live in a jar nested in the agent jar: a
 * profiled JVM has the agent jar on its class path and keeps that jar's directory in its heap, so
 * its directory must not list them; the command line still reads recordings, also for a user
 * without a private cache (the nested jar then goes to a temporary file).
 */
class AnalysisJarTest {
    private static final List<String> ANALYSIS_ONLY = List.of("org/openjdk/jmc/", "net/jpountz/", "org/owasp/",
            "io/kfr/jmc/rules/", "io/kfr/jmc/report/", "io/kfr/agent/report/");
    /** The export's writers and their libraries: in the nested export jar, opened only with export= and by convert. */
    private static final List<String> EXPORT_ONLY = List.of("io/kfr/shaded/protobuf/", "io/kfr/shaded/otlp/",
            "io/kfr/agent/convert/", "opentelemetry/", "google/protobuf/");

    @Test
    void theAgentJarsDirectoryHoldsNoAnalysisClasses() throws Exception {
        try (JarFile jar = new JarFile(JvmRun.AGENT_JAR.toFile())) {
            List<String> leaked = jar.stream().map(JarEntry::getName)
                    .filter(n -> ANALYSIS_ONLY.stream().anyMatch(n::startsWith) || EXPORT_ONLY.stream().anyMatch(n::startsWith)
                            || n.endsWith("/"))
                    .limit(5).collect(Collectors.toList());
            assertEquals(List.of(), leaked, "analysis or export classes, or directory entries, in the agent jar's own directory");
            System.out.printf("agent jar: %d entries in its directory%n", jar.size());
            List<String> analysis = nestedEntries(jar, "io/kfr/agent/analysis.jar");
            assertTrue(analysis.stream().anyMatch(n -> n.startsWith("org/openjdk/jmc/flightrecorder/"))
                            && analysis.contains("META-INF/services/org.openjdk.jmc.flightrecorder.rules.IRule"),
                    "JMC's parser and the rules' service file are in the nested analysis jar");
            List<String> export = nestedEntries(jar, "io/kfr/agent/export.jar");
            assertTrue(export.contains("io/kfr/agent/convert/PeriodProfile.class")
                            && export.stream().anyMatch(n -> n.startsWith("io/kfr/shaded/protobuf/")),
                    "the profile writers and protobuf are in the nested export jar");
        }
    }

    private static List<String> nestedEntries(JarFile jar, String name) throws IOException {
        JarEntry nested = jar.getJarEntry(name);
        assertNotNull(nested, name);
        List<String> names = new ArrayList<>();
        try (JarInputStream in = new JarInputStream(jar.getInputStream(nested))) {
            for (JarEntry e; (e = in.getNextJarEntry()) != null; ) {
                names.add(e.getName());
            }
        }
        return names;
    }

    @Test
    void summaryRunsWithoutAPrivateCache() throws Exception {
        Path home = Files.createTempDirectory("kfr-it-nohome").resolve("absent");
        Cli.Result r = Cli.jar(Jdk.JDK17, List.of("-Duser.home=" + home), JvmRun.AGENT_JAR, null, "summary",
                PlainRecording.file().toString());
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.stdout().contains("summary of"), r.toString());
        assertTrue(!r.stderr().contains("NoClassDefFoundError") && !r.stderr().contains("Exception"), r.toString());
    }
}
