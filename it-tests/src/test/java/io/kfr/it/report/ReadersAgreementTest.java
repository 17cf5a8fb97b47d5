package io.kfr.it.report;

import io.kfr.it.support.GroundTruthRecording;
import io.kfr.it.support.Jdk;
import io.kfr.it.support.JmcRead;
import io.kfr.it.support.ReadBack;
import io.kfr.it.support.Truth;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.openjdk.jmc.common.IMCThread;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The merged file (JVM recording + kfr's chunk) read by every reader a user has: JMC's parser, the
 * JDK 17 and JDK 25 RecordingFile, and the jfr tool of both JDKs — same counts, same numbers, right
 * times, kfr's threads the JVM's threads.
 */
public class ReadersAgreementTest {

    @ParameterizedTest
    @MethodSource("io.kfr.it.support.Jdk#everyTest")
    void recordingFileOfJdk17AndJdk25Agree(Jdk recordedOn) throws Exception {
        Path file = GroundTruthRecording.of(recordedOn).file;
        ReadBack inProcess = ReadBack.read(file);
        String jdk25 = runTool(List.of(Jdk.JDK25.java().toString(), "-cp",
                Path.of("target/test-classes").toAbsolutePath().toString(), ReadBack.class.getName(), file.toString()));
        assertEquals(inProcess.format(), jdk25, "JDK 17 and JDK 25 RecordingFile disagree");
        assertTrue(inProcess.sleepEvents > 0, "the JVM recorded no jdk.ThreadSleep\n" + inProcess.format());
        assertEquals(inProcess.sleepEvents, inProcess.sleepEventsMatched,
                "every jdk.ThreadSleep has a kfr.OffCpu interval at the same time (±2 ms)\n" + inProcess.unmatchedSleeps);
    }

    @ParameterizedTest
    @MethodSource("io.kfr.it.support.Jdk#everyTest")
    void jfrToolsCountTheSame(Jdk recordedOn) throws Exception {
        Path file = GroundTruthRecording.of(recordedOn).file;
        ReadBack r = ReadBack.read(file);
        long offCpu = r.eventCounts.get("kfr.OffCpu");
        for (Jdk tool : Jdk.everyTest()) {
            String summary = runTool(List.of(tool.jfrTool().toString(), "summary", file.toString()));
            assertEquals(offCpu, summaryCount(summary, "kfr.OffCpu"), tool + " jfr summary\n" + summary);
            assertEquals(r.eventCounts.get("kfr.CollectorStatistics"), summaryCount(summary, "kfr.CollectorStatistics"),
                    tool + " jfr summary\n" + summary);
            String print = runTool(List.of(tool.jfrTool().toString(), "print", "--events", "kfr.OffCpu", file.toString()));
            assertTrue(print.contains("kfr.OffCpu {") && print.contains("offCpuMillis") && print.contains("truth-sleeper"),
                    tool + " jfr print shows kfr.OffCpu with fields and threads");
        }
    }

    @ParameterizedTest
    @MethodSource("io.kfr.it.support.Jdk#everyTest")
    void jmcParserSeesKfrEventsOnTheJvmsThreads(Jdk recordedOn) throws Exception {
        GroundTruthRecording rec = GroundTruthRecording.of(recordedOn);
        ReadBack r = ReadBack.read(rec.file);
        JmcRead jmc = new JmcRead(rec.file);
        assertEquals(r.eventCounts.get("kfr.OffCpu"), jmc.count("kfr.OffCpu"));
        assertEquals(r.eventCounts.get("kfr.CollectorStatistics"), jmc.count("kfr.CollectorStatistics"));
        assertEquals(r.eventCounts.get("jdk.ThreadSleep"), jmc.count("jdk.ThreadSleep"));
        Set<IMCThread> kfrThreads = jmc.threadsNamed("kfr.OffCpu", "truth-sleeper");
        Set<IMCThread> jvmThreads = jmc.threadsNamed("jdk.ThreadSleep", "truth-sleeper");
        assertFalse(kfrThreads.isEmpty(), "kfr events on truth-sleeper");
        assertEquals(jvmThreads, kfrThreads, "JMC sees kfr's and the JVM's events on one and the same thread");
    }

    /**
     * kfr.OffCpuSummary lives inside the JVM's recording, on the Java thread it describes, and sums
     * every period, the last one too (committed as JFR ends the recording's chunk at exit), so its
     * total is kfr's events' total. A thread that ended before its period was committed has no
     * sampledThread (JFR refers to live threads only): a loaded machine, whose collector lags, has
     * more of those, so the Java thread is asserted on the threads alive at the end.
     */
    @ParameterizedTest
    @MethodSource("io.kfr.it.support.Jdk#everyTest")
    void summariesInsideTheJvmRecording(Jdk recordedOn) throws Exception {
        GroundTruthRecording rec = GroundTruthRecording.of(recordedOn);
        ReadBack r = ReadBack.read(rec.file);
        Truth sleeper = Truth.of(rec.truths, "sleep");
        long summarized = r.summaryByOsThread.getOrDefault(sleeper.tid(), 0L);
        long events = r.total(sleeper.tid());
        assertTrue(events > 0, "kfr.OffCpu of truth-sleeper");
        assertTrue(summarized >= events * 0.99 && summarized <= events * 1.001,
                "kfr.OffCpuSummary of truth-sleeper sum kfr.OffCpu's time: " + summarized + " vs " + events + " ns");
        assertTrue(r.summaryByJavaThread.getOrDefault("main", 0L) > 0,
                "kfr.OffCpuSummary with sampledThread = main (alive to the end)\n" + r.summaryByJavaThread);
        assertTrue(r.summariesOnAnotherThread.isEmpty(), "sampledThread is the thread summed: " + r.summariesOnAnotherThread);
    }

    public static long summaryCount(String summary, String type) {
        Matcher m = Pattern.compile("^\\s*" + Pattern.quote(type) + "\\s+(\\d+)\\s", Pattern.MULTILINE).matcher(summary);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    public static String runTool(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "timed out: " + cmd);
        assertEquals(0, p.exitValue(), cmd + "\n" + out);
        return out;
    }
}
