package io.kfr.it.control;

import io.kfr.it.support.Cli;
import io.kfr.it.support.Jdk;
import io.kfr.it.support.JvmRun;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A JVM kfr cannot serve starts and runs normally, with one kfr: line saying why: never an
 * UnsupportedClassVersionError, never a JVM that does not start. No JDK older than kfr's Java 11
 * is installed here: the gate is raised by the test-only property kfr.test.minJdk, on JDK 11 (the
 * oldest JVM kfr serves) and on JDK 17. The workload is a source file (java Hello.java), so any
 * JDK from 11 on runs it.
 */
class AgentGateTest {
    private static final String HELLO = "public class Hello {\n"
            + "    public static void main(String[] args) throws Exception {\n"
            + "        Thread.sleep(200);\n"
            + "        System.out.println(\"HELLO-DONE \" + System.getProperty(\"java.specification.version\"));\n"
            + "    }\n"
            + "}\n";

    @Test
    void jdk11StartsAndRunsWithOneLine() throws Exception {
        JvmRun.Result r = run(Jdk.JDK11, List.of("-Dkfr.test.minJdk=17"));
        assertRefused(r, "HELLO-DONE 11", "this JVM is Java 11");
    }

    @Test
    void raisedGateRefusesJdk17WithOneLine() throws Exception {
        JvmRun.Result r = run(Jdk.JDK17, List.of("-Dkfr.test.minJdk=99"));
        assertRefused(r, "HELLO-DONE 17", "kfr needs Java 99 or later");
    }

    @Test
    void commandLineOnJdk11SaysWhyInOneLine() throws Exception {
        Cli.Result r = Cli.jar(Jdk.JDK11, List.of("-Dkfr.test.minJdk=17"), JvmRun.AGENT_JAR, null, "doctor");
        assertEquals(2, r.exitCode(), r.toString());
        assertEquals("", r.stdout(), r.toString());
        List<String> lines = r.stderr().lines().toList();
        assertEquals(1, lines.size(), "exactly one line\n" + r.stderr());
        assertTrue(lines.get(0).startsWith("kfr: this java is Java 11") && lines.get(0).contains("newer java"),
                lines.get(0));
    }

    private static JvmRun.Result run(Jdk jdk, List<String> jvmArgs) throws Exception {
        Path dir = Files.createTempDirectory("kfr-it-gate-" + jdk.name().toLowerCase());
        Path source = Files.writeString(dir.resolve("Hello.java"), HELLO);
        Path file = dir.resolve("never.jfr");
        JvmRun run = JvmRun.on(jdk).agent("offcpu,cpu,file=" + file).classpath(dir).main(source.toString());
        jvmArgs.forEach(run::jvmArg);
        JvmRun.Result r = run.run(120);
        assertFalse(Files.exists(file), "kfr wrote nothing\n" + r.describe());
        return r;
    }

    private static void assertRefused(JvmRun.Result r, String output, String why) {
        assertEquals(0, r.exitCode(), r.describe());
        assertTrue(r.stdout().contains(output), "the program ran as usual\n" + r.describe());
        assertEquals(1, r.stderr().lines().count(), "one line on stderr, no stack trace\n" + r.describe());
        List<String> lines = r.kfrLines();
        assertEquals(1, lines.size(), r.describe());
        assertTrue(lines.get(0).startsWith("kfr: not recording: ") && lines.get(0).contains(why)
                && lines.get(0).endsWith("the JVM runs on without kfr"), lines.get(0));
    }
}
