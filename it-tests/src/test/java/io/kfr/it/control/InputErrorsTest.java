package io.kfr.it.control;

import io.kfr.it.support.Jcmd;
import io.kfr.it.support.Jdk;
import io.kfr.it.support.JvmRun;
import io.kfr.it.support.ReadBack;
import io.kfr.it.support.workload.Sleepy;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad input gives one line and the JVM (or the command) goes on or ends cleanly: a repeated
 * option, a non-ASCII path under LANG=C, summary on a file that is cut short or not JFR; and
 * jcmd's JVMTI.agent_load, which cuts its argument at '=', works with an options file.
 */
class InputErrorsTest {
    @Test
    void repeatedOption() throws Exception {
        JvmRun.Result r = JvmRun.on(Jdk.JDK17).agent("offcpu.threshold=1ms,cpu,offcpu.threshold=2ms").main(Sleepy.class).run(60);
        assertEquals(0, r.exitCode(), r.describe());
        assertTrue(r.stdout().contains("WORKLOAD-DONE"), r.describe());
        assertEquals(1, r.kfrLines().size(), r.describe());
        assertTrue(r.kfrLines().get(0).contains("offcpu.threshold is given twice"), r.kfrLines().get(0));
    }

    @Test
    void nonAsciiPathUnderLangC() throws Exception {
        Path dir = Files.createTempDirectory("kfr-it-\u00fcml");
        ProcessBuilder pb = new ProcessBuilder(Jdk.JDK17.java().toString(),
                "-javaagent:" + JvmRun.AGENT_JAR + "=file=" + dir.resolve("r\u00e9sum\u00e9.jfr"),
                "-cp", Path.of("target/test-classes").toAbsolutePath().toString(), Sleepy.class.getName());
        pb.environment().put("LANG", "C");
        pb.environment().put("LC_ALL", "C");
        Process p = pb.redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("WORKLOAD-DONE"), out);
        assertFalse(out.contains("Exception"), "no InvalidPathException\n" + out);
        List<String> kfr = out.lines().filter(l -> l.startsWith("kfr: ")).toList();
        assertEquals(1, kfr.size(), out);
        assertTrue(kfr.get(0).contains("LANG=C.UTF-8"), kfr.get(0));
    }

    @Test
    void summaryOfBadFiles() throws Exception {
        Path dir = Files.createTempDirectory("kfr-it-badfiles");
        Path notJfr = Files.writeString(dir.resolve("not.jfr"), "hello");
        Path whole = dir.resolve("whole.jfr");
        JvmRun.Result r = JvmRun.on(Jdk.JDK17).agent("file=" + whole).main(Sleepy.class).run(60);
        assertEquals(0, r.exitCode(), r.describe());
        byte[] bytes = Files.readAllBytes(whole);
        Path cut = Files.write(dir.resolve("cut.jfr"), java.util.Arrays.copyOf(bytes, bytes.length / 2));
        for (Path bad : List.of(notJfr, cut)) {
            Process p = new ProcessBuilder(Jdk.JDK17.java().toString(), "-jar", JvmRun.AGENT_JAR.toString(), "summary",
                    bad.toString()).start();
            String out = new String(p.getInputStream().readAllBytes());
            String err = new String(p.getErrorStream().readAllBytes());
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(1, p.exitValue(), out + err);
            assertEquals(1, err.lines().count(), "one line, no stack trace:\n" + err);
            assertTrue(err.startsWith("kfr: cannot read " + bad), err);
            if (bad == cut) {
                assertTrue(err.contains("cut short"), err);
            }
        }
    }

    /** The documented jcmd recipe: JVMTI.agent_load with @options-file (real jcmd, real JVM). */
    @Test
    void jcmdAgentLoadWithOptionsFile() throws Exception {
        Path dir = Files.createTempDirectory("kfr-it-jcmd");
        Path file = dir.resolve("jcmd.jfr");
        Path options = Files.writeString(dir.resolve("kfr.options"), "offcpu\nfile=" + file + "   # at exit\n");
        try (TargetJvm target = TargetJvm.on(Jdk.JDK17).start()) {
            String out = Jcmd.run(target.pid(), "JVMTI.agent_load", JvmRun.AGENT_JAR.toString(), "@" + options);
            assertTrue(out.contains("return code: 0"), out);
            Thread.sleep(1500);
            assertTrue(target.stderr().contains("off-CPU collector running"), target.describe());
            target.process.destroy(); // SIGTERM: file= is written at exit
            assertTrue(target.process.waitFor(30, TimeUnit.SECONDS), target.describe());
            assertTrue(target.stderr().contains("wrote " + file), target.describe());
        }
        assertTrue(ReadBack.read(file).eventCounts.getOrDefault("kfr.OffCpu", 0L) > 0);
    }
}
