package io.kfr.it.continuous;

import io.kfr.events.KfrEventNames;
import io.kfr.it.support.Cli;
import io.kfr.it.support.Jdk;
import io.kfr.it.support.JmcRead;
import io.kfr.it.support.JvmRun;
import io.kfr.it.support.workload.Churn;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Continuous recording in compressed time: maxage=20s and maxsize=4m stand for a service's hour and
 * 256 MB (the size above 20 s of this workload's data on a quiet machine, ~130 kB/s, so that the
 * age bounds the window and its whole length can be checked); a workload whose threads never stop coming and going (new names, new pool entries) runs
 * until kfr has recorded 75 s (it attaches a few seconds in, more on a loaded machine): nearly four
 * windows, a few dozen segment rotations; then a dump, then SIGTERM (file= is written at exit). kfr's spool on disk and the JVM's resident
 * memory stay flat, and a dump holds the last window and nothing older, read with the JDK's
 * reader and with JMC's parser; so does the file written at exit.
 */
class ContinuousRecordingTest {
    private static final long S = 1_000_000_000L;
    private static final long MAX_AGE = 20 * S;
    /** A segment is an eighth of the window: 2.5 s. */
    private static final long SEGMENT = MAX_AGE / 8;
    private static final long MAX_SIZE = 4L << 20;
    /** The workload's own end: far beyond the test, which ends the JVM with SIGTERM. */
    private static final int RUN_SECONDS = 600;
    /** How long kfr records before the dump: nearly four windows. */
    private static final long RECORD_SECONDS = 75;

    @Test
    void windowStaysFlatAndDumpHoldsTheLastWindow() throws Exception {
        Path out = Files.createTempDirectory("kfr-it-continuous");
        Path atExit = out.resolve("at-exit.jfr");
        Path log = out.resolve("jvm.log");
        Process p = new ProcessBuilder(Jdk.JDK17.java().toString(), "-Xmx64m",
                "-javaagent:" + JvmRun.AGENT_JAR + "=file=" + atExit + ",maxage=20s,maxsize=4m,offcpu.threshold=500us",
                "-cp", Path.of("target/test-classes").toAbsolutePath().toString(), Churn.class.getName(),
                String.valueOf(RUN_SECONDS)).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        String pid = String.valueOf(p.pid());
        List<long[]> samples = new ArrayList<>(); // seconds since start, spool bytes, VmRSS kB, newest segment
        long begin = System.nanoTime();
        Path dump = out.resolve("dump.jfr");
        long dumpedAt = 0;
        long recording = -1; // when kfr's first records reached the spool (s)
        while (p.isAlive() && (System.nanoTime() - begin) / S < 240) {
            long t = (System.nanoTime() - begin) / S;
            long[] spool = spool(out);
            long rss = rssKb(pid);
            if (rss > 0) {
                samples.add(new long[] {t, spool[0], rss, spool[1]});
            }
            if (recording < 0 && spool[0] > 0) {
                recording = t;
            }
            if (recording >= 0 && t >= recording + RECORD_SECONDS) {
                Cli.Result r = Cli.inProcess("dump", pid, dump.toString());
                dumpedAt = epochNanos();
                assertEquals(0, r.exitCode(), r + "\n" + Files.readString(log));
                break;
            }
            Thread.sleep(1000);
        }
        assertTrue(dumpedAt > 0, "kfr recorded " + RECORD_SECONDS + " s within 240 s: " + Files.readString(log));
        p.destroy(); // SIGTERM: file= is written at exit
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        long exitedAt = epochNanos();
        String jvmLog = Files.readString(log);
        assertEquals(143, p.exitValue(), jvmLog);
        assertTrue(jvmLog.contains("kfr: wrote " + atExit), jvmLog);
        StringBuilder trace = new StringBuilder("t(s) spool(kB) rss(kB) segment#\n");
        samples.forEach(s -> trace.append(s[0]).append(' ').append(s[1] / 1024).append(' ').append(s[2]).append(' ')
                .append(s[3]).append('\n'));
        System.out.println(trace);

        long rotations = samples.stream().mapToLong(s -> s[3]).max().getAsLong();
        assertTrue(rotations >= 20, "the spool rotated many times: " + rotations + "\n" + trace);
        long peakSpool = samples.stream().mapToLong(s -> s[1]).max().getAsLong();
        // the window, one segment being filled, and the buffered records written at each roll
        assertTrue(peakSpool <= MAX_SIZE + MAX_SIZE / 8 + 256 * 1024, "spool on disk bounded: peak " + peakSpool + "\n" + trace);
        // resident memory once kfr's first window is full (start-up, kfr's attach, JIT warm-up and
        // the window filling before), against the last 15 s before the dump (which maps its buffers)
        long early = maxRss(samples, recording + 25, recording + 40);
        long late = maxRss(samples, recording + RECORD_SECONDS - 15, recording + RECORD_SECONDS);
        assertTrue(late - early <= 8 * 1024, "RSS flat: " + early + " kB then " + late + " kB\n" + trace);

        checkWindow(dump, dumpedAt, "dump");
        checkWindow(atExit, exitedAt, "file at exit");
        Files.delete(dump);
        Files.delete(atExit);
        Files.delete(log);
        Files.delete(out);
    }

    /** kfr's events end within the last maxage (give or take a segment), and the whole window is there. */
    private static void checkWindow(Path file, long writtenAt, String what) throws Exception {
        List<RecordedEvent> events = new ArrayList<>();
        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
            if (e.getEventType().getName().equals(KfrEventNames.OFF_CPU)) {
                events.add(e);
            }
        }
        assertTrue(events.size() > 1000, what + ": " + events.size() + " events");
        long oldest = Long.MAX_VALUE;
        long newest = Long.MIN_VALUE;
        long withStacks = 0;
        for (RecordedEvent e : events) {
            long end = nanos(e.getEndTime());
            oldest = Math.min(oldest, end);
            newest = Math.max(newest, end);
            assertTrue(e.getThread() != null && e.getThread().getOSName() != null, what + ": thread resolves: " + e);
            if (e.getStackTrace() != null && !e.getStackTrace().getFrames().isEmpty()) {
                withStacks++;
            }
        }
        // every segment's chunk carries its own pools: the stacks of old segments resolve as the newest's
        assertTrue(withStacks >= events.size() * 95 / 100, what + ": stacks resolve: " + withStacks + " of " + events.size());
        // a segment is dropped once its newest event is older than maxage: what stays is at most one segment older
        assertTrue(writtenAt - oldest <= MAX_AGE + SEGMENT + 3 * S,
                what + ": nothing from before the window: oldest " + (writtenAt - oldest) / 1e9 + " s before");
        assertTrue(writtenAt - oldest >= MAX_AGE - 3 * S, what + ": the whole window: oldest " + (writtenAt - oldest) / 1e9 + " s");
        assertTrue(writtenAt - newest <= 5 * S, what + ": up to the end: newest " + (writtenAt - newest) / 1e9 + " s before");
        assertEquals(events.size(), new JmcRead(file).count(KfrEventNames.OFF_CPU), what + ": JMC reads the same events");
    }

    private static long maxRss(List<long[]> samples, long from, long to) {
        return samples.stream().filter(s -> s[0] >= from && s[0] < to).mapToLong(s -> s[2]).max().orElse(0);
    }

    /** Bytes of kfr's spool segments (and journals) in the work directory next to file=, and the newest segment's number. */
    private static long[] spool(Path out) throws Exception {
        long bytes = 0;
        long newest = 0;
        try (Stream<Path> dirs = Files.list(out)) {
            for (Path d : dirs.filter(f -> f.getFileName().toString().startsWith(".kfr-session-")).toList()) {
                try (Stream<Path> files = Files.list(d)) {
                    for (Path f : files.toList()) {
                        String name = f.getFileName().toString();
                        if (name.startsWith("kfr-") && (name.endsWith(".spool") || name.endsWith(".pools"))) {
                            bytes += f.toFile().length();
                            newest = Math.max(newest, Long.parseLong(name.substring(4, 13)));
                        }
                    }
                } catch (java.io.IOException | java.io.UncheckedIOException gone) {
                    // a segment dropped while listed
                }
            }
        }
        return new long[] {bytes, newest};
    }

    private static long rssKb(String pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", pid, "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (Exception gone) {
            // exited
        }
        return 0;
    }

    private static long nanos(Instant t) {
        return t.getEpochSecond() * S + t.getNano();
    }

    private static long epochNanos() {
        return nanos(Instant.now());
    }
}
