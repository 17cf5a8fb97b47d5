package io.kfr.it.offcpu;

import io.kfr.it.support.Jdk;
import io.kfr.it.support.JvmRun;
import io.kfr.it.support.workload.WakerTruth;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.openjdk.jmc.common.IMCStackTrace;
import org.openjdk.jmc.common.IMCThread;
import org.openjdk.jmc.common.item.Attribute;
import org.openjdk.jmc.common.item.IItem;
import org.openjdk.jmc.common.item.IItemCollection;
import org.openjdk.jmc.common.item.IItemIterable;
import org.openjdk.jmc.common.item.IMemberAccessor;
import org.openjdk.jmc.common.item.ItemFilters;
import org.openjdk.jmc.common.unit.UnitLookup;
import org.openjdk.jmc.flightrecorder.JfrLoaderToolkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Who woke a thread: on WakerTruth (a waiter released every 5 ms by a known thread from a known
 * method: unpark, queue put, ReentrantLock unlock, monitor notify), the waiter's long intervals
 * that span a release must name that thread (wakerThread, the real tid) and that method (in
 * wakerStackTrace) in at least 95% of them each. A monitor's release (notify, then the wake-up at
 * monitor exit) reaches the system call through a leaf call from Java into libjvm, which sets no
 * Java frame anchor, and through libc code that may keep data in rbp: its Java frames are found
 * from the waker's registers, through the frame pointer libc saved (see java_walk_syscall).
 * "Long" is 2 ms here: waker stacks are taken for intervals that had lasted the 1 ms threshold at
 * their wake-up, and on a busy 2-CPU machine an interval can pass 1 ms only while runnable.
 * The fields are read back with the JDK's reader, JMC's parser and `jfr print`.
 */
class WakerGroundTruthTest {
    private static final double MIN_SHARE = 0.95;
    private static final long LONG_NANOS = 2_000_000;

    record Pair(String scenario, long waiterTid, long wakerTid, String method, int rounds, long[] releases) {
        /** The interval was ended by one of the waker's releases: it spans a release time. */
        boolean endedByRelease(long startEpochNanos, long endEpochNanos) {
            for (long t : releases) {
                if (t > startEpochNanos && t < endEpochNanos) {
                    return true;
                }
            }
            return false;
        }
    }

    @ParameterizedTest
    @MethodSource("io.kfr.it.support.Jdk#everyTest")
    void wakerThreadAndMethodOfLongIntervals(Jdk jdk) throws Exception {
        Path dir = Files.createTempDirectory("kfr-it-waker");
        Path file = dir.resolve("waker.jfr");
        JvmRun.Result run = JvmRun.on(jdk).agent("file=" + file).main(WakerTruth.class, "60").run(180);
        assertEquals(0, run.exitCode(), run.describe());
        assertTrue(run.stdout().contains("KFR-WAKER-DONE"), run.describe());
        List<Pair> pairs = new ArrayList<>();
        for (String line : run.stdout().split("\n")) {
            if (line.startsWith("KFR-WAKER ")) {
                String[] f = line.trim().split(" ");
                long[] releases = java.util.Arrays.stream(f[6].split(",")).mapToLong(Long::parseLong).toArray();
                pairs.add(new Pair(f[1], Long.parseLong(f[2]), Long.parseLong(f[3]), f[4], Integer.parseInt(f[5]),
                        releases));
            }
        }
        assertEquals(4, pairs.size(), run.describe());

        List<RecordedEvent> events = new ArrayList<>();
        RecordedEvent stats = null;
        try (RecordingFile rf = new RecordingFile(file)) {
            while (rf.hasMoreEvents()) {
                RecordedEvent e = rf.readEvent();
                if (e.getEventType().getName().equals("kfr.OffCpu") && !e.getBoolean("aggregated")) {
                    events.add(e);
                } else if (e.getEventType().getName().equals("kfr.CollectorStatistics")) {
                    stats = e;
                }
            }
        }
        StringBuilder failures = new StringBuilder();
        for (Pair p : pairs) {
            int intervals = 0;
            int threadRight = 0;
            int methodRight = 0;
            String example = null;
            String hit = null;
            for (RecordedEvent e : events) {
                if (e.getThread() == null || e.getThread().getOSThreadId() != p.waiterTid()
                        || !"S".equals(e.getString("state")) || e.getDuration().toNanos() < LONG_NANOS) {
                    continue;
                }
                // the waiter's other waits (for its own start, a JFR sampler's signal) have other wakers
                long start = e.getStartTime().getEpochSecond() * 1_000_000_000L + e.getStartTime().getNano();
                if (!p.endedByRelease(start, start + e.getDuration().toNanos())) {
                    continue;
                }
                intervals++;
                RecordedThread waker = e.getValue("wakerThread");
                if (waker != null && waker.getOSThreadId() == p.wakerTid()) {
                    threadRight++;
                }
                RecordedStackTrace ws = e.getValue("wakerStackTrace");
                boolean method = ws != null && ws.getFrames().stream().anyMatch(f -> isMethod(f, p.method()));
                if (method) {
                    methodRight++;
                    if (hit == null) {
                        hit = frames(ws);
                    }
                } else if (example == null) {
                    example = e.getDuration().toNanos() / 1000 + " us, waker " + e.getString("waker") + " " + (waker == null ? null : waker.getOSThreadId())
                            + ", stack " + frames(ws);
                }
            }
            System.out.printf("waker truth %s %s: %d long intervals of the waiter, waker thread right in %d (%.1f%%),"
                            + " waker method %s right in %d (%.1f%%)%n", jdk, p.scenario(), intervals, threadRight,
                    100.0 * threadRight / Math.max(1, intervals), p.method(), methodRight,
                    100.0 * methodRight / Math.max(1, intervals));
            System.out.printf("waker truth %s %s: waker stack %s%n", jdk, p.scenario(), hit != null ? hit : example);
            if (intervals < p.rounds() / 2 || threadRight < MIN_SHARE * intervals
                    || methodRight < MIN_SHARE * intervals) {
                failures.append(String.format("%s: %d intervals (of %d rounds), thread right %d, method right %d;"
                        + " first miss: %s%n", p.scenario(), intervals, p.rounds(), threadRight, methodRight, example));
            }
        }
        if (stats != null) {
            long runs = stats.getLong("wakerRunCount");
            System.out.printf("waker cost %s: %d wake-ups seen, %d waker stacks, waker program %d runs %.0f ns/run;"
                            + " all programs %d runs %.0f ns/run%n", jdk, stats.getLong("wakeups"),
                    stats.getLong("wakerStacks"), runs,
                    stats.getDuration("wakerRunTime").toNanos() / (double) Math.max(1, runs),
                    stats.getLong("bpfRunCount"),
                    stats.getDuration("bpfRunTime").toNanos() / (double) Math.max(1, stats.getLong("bpfRunCount")));
        }
        assertTrue(failures.isEmpty(), failures.toString());

        // JMC's parser reads the new fields as a thread and a stack trace
        IItemCollection items = JfrLoaderToolkit.loadEvents(file.toFile()).apply(ItemFilters.type("kfr.OffCpu"));
        int jmcWakers = 0;
        int jmcStacks = 0;
        for (IItemIterable it : items) {
            IMemberAccessor<IMCThread, IItem> wt = Attribute.attr("wakerThread", "Waker Thread", UnitLookup.THREAD)
                    .getAccessor(it.getType());
            IMemberAccessor<IMCStackTrace, IItem> ws = Attribute.attr("wakerStackTrace", "Waker Stack Trace",
                    UnitLookup.STACKTRACE).getAccessor(it.getType());
            assertTrue(wt != null && ws != null, "JMC has no waker attributes on kfr.OffCpu");
            for (IItem item : it) {
                IMCThread t = wt.getMember(item);
                IMCStackTrace s = ws.getMember(item);
                jmcWakers += t != null && t.getThreadName() != null && t.getThreadName().startsWith("waker-truth-") ? 1 : 0;
                jmcStacks += s != null && !s.getFrames().isEmpty() ? 1 : 0;
            }
        }
        assertTrue(jmcWakers >= 4 * 50 && jmcStacks >= 4 * 50,
                "JMC reads waker threads (" + jmcWakers + ") and waker stacks (" + jmcStacks + ")");

        // and `jfr print` shows them
        Process p = new ProcessBuilder(jdk.jfrTool().toString(), "print", "--events", "kfr.OffCpu", file.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, out.length() > 2000 ? out.substring(0, 2000) : out);
        // the thread's full name, or /proc's first 15 bytes where the JVM's thread dump had not named it
        assertTrue(out.contains("wakerThread = \"waker-truth-pro") && out.contains("wakerStackTrace = {")
                && out.contains("putTask"), "jfr print shows the waker fields");
    }

    private static boolean isMethod(RecordedFrame f, String method) {
        return f.getMethod() != null && f.getMethod().getName().equals(method)
                && f.getMethod().getType().getName().endsWith("WakerTruth");
    }

    private static String frames(RecordedStackTrace s) {
        if (s == null) {
            return "none";
        }
        StringBuilder b = new StringBuilder();
        for (RecordedFrame f : s.getFrames()) {
            b.append(f.getMethod() == null ? "?" : f.getMethod().getType().getName() + "." + f.getMethod().getName())
                    .append(" <- ");
        }
        return b.toString();
    }
}
