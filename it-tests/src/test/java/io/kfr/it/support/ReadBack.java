package io.kfr.it.support;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads a merged recording with the running JDK's jdk.jfr.consumer.RecordingFile and reduces it to
 * plain numbers, so the same check can run in-process (JDK 17) and in a JDK 25 child
 * ({@code main} prints {@link #format()}).
 */
public final class ReadBack {
    public final Map<String, Long> eventCounts = new TreeMap<>();
    /** tid -> state -> off-CPU ns. */
    public final Map<Long, Map<String, Long>> offCpuByTid = new TreeMap<>();
    /** tid -> kfr.OffCpu events whose stack has at least one Kernel frame. */
    public final Map<Long, Long> withKernelFrames = new TreeMap<>();
    /** tid -> kernel function names seen in its stacks. */
    public final Map<Long, List<String>> kernelFunctions = new TreeMap<>();
    /** tid -> individual (not aggregated) intervals: start epoch ns, duration ns, state. */
    public final Map<Long, List<Interval>> intervals = new TreeMap<>();
    /** tid -> aggregated kfr.OffCpu events, and the intervals they sum. */
    public final Map<Long, Long> aggregatedCount = new TreeMap<>();
    public final Map<Long, Long> aggregatedIntervals = new TreeMap<>();
    public final Map<Long, Long> aggregatedNanos = new TreeMap<>();
    public final List<String> unmatchedSleeps = new ArrayList<>();
    /** Java thread name -> off-CPU ns in the JVM recording's kfr.OffCpuSummary events. */
    public final Map<String, Long> summaryByJavaThread = new TreeMap<>();
    /** OS thread id -> off-CPU ns in kfr.OffCpuSummary events (with or without a Java thread). */
    public final Map<Long, Long> summaryByOsThread = new TreeMap<>();
    /** kfr.OffCpuSummary events whose sampledThread is another thread than their osThreadId. */
    public final List<String> summariesOnAnotherThread = new ArrayList<>();
    public long sleepEvents;
    /** The last kfr.CollectorStatistics: cumulative, taken after the final drain. */
    public RecordedEvent finalStatistics;
    public long individualEvents;
    private long firstEventNanos = Long.MAX_VALUE;
    private long lastEventNanos = Long.MIN_VALUE;
    public long sleepEventsMatched;
    public long maxBpfRunCount;
    public long maxRecordsDropped;

    public static ReadBack read(Path file) throws IOException {
        ReadBack r = new ReadBack();
        List<RecordedEvent> sleeps = new ArrayList<>();
        try (RecordingFile in = new RecordingFile(file)) {
            while (in.hasMoreEvents()) {
                RecordedEvent e = in.readEvent();
                String type = e.getEventType().getName();
                r.eventCounts.merge(type, 1L, Long::sum);
                long t = epochNanos(e.getStartTime());
                r.firstEventNanos = Math.min(r.firstEventNanos, t);
                r.lastEventNanos = Math.max(r.lastEventNanos, t);
                switch (type) {
                    case "kfr.OffCpu" -> r.addOffCpu(e);
                    case "jdk.ThreadSleep" -> sleeps.add(e);
                    case "kfr.OffCpuSummary" -> {
                        RecordedThread sampled = e.getValue("sampledThread");
                        long total = e.getDuration("total").toNanos();
                        r.summaryByOsThread.merge(e.getLong("osThreadId"), total, Long::sum);
                        if (sampled != null) {
                            r.summaryByJavaThread.merge(sampled.getJavaName(), total, Long::sum);
                            if (sampled.getOSThreadId() != e.getLong("osThreadId")) {
                                r.summariesOnAnotherThread.add(sampled.getJavaName() + " (" + sampled.getOSThreadId()
                                        + ") for " + e.getString("threadName") + " (" + e.getLong("osThreadId") + ")");
                            }
                        }
                    }
                    case "kfr.CollectorStatistics" -> {
                        if (r.finalStatistics == null || !e.getStartTime().isBefore(r.finalStatistics.getStartTime())) {
                            r.finalStatistics = e;
                        }
                        r.maxBpfRunCount = Math.max(r.maxBpfRunCount, e.getLong("bpfRunCount"));
                        r.maxRecordsDropped = Math.max(r.maxRecordsDropped, e.getLong("recordsDropped"));
                    }
                    default -> {
                    }
                }
            }
        }
        r.matchSleeps(sleeps);
        return r;
    }

    public record Interval(long startEpochNanos, long durationNanos, String state) {
        long endEpochNanos() {
            return startEpochNanos + durationNanos;
        }
    }

    private static long epochNanos(Instant i) {
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }

    private void addOffCpu(RecordedEvent e) {
        long tid = e.getThread().getOSThreadId();
        if (e.getBoolean("aggregated")) {
            aggregatedCount.merge(tid, 1L, Long::sum);
            aggregatedIntervals.merge(tid, e.getLong("count"), Long::sum);
            aggregatedNanos.merge(tid, e.getDuration().toNanos(), Long::sum);
        } else {
            individualEvents++;
            intervals.computeIfAbsent(tid, k -> new ArrayList<>()).add(
                    new Interval(epochNanos(e.getStartTime()), e.getDuration().toNanos(), e.getString("state")));
        }
        offCpuByTid.computeIfAbsent(tid, k -> new TreeMap<>()).merge(e.getString("state"), e.getDuration().toNanos(), Long::sum);
        if (e.getStackTrace() != null) {
            boolean kernel = false;
            for (RecordedFrame f : e.getStackTrace().getFrames()) {
                if ("Kernel".equals(f.getType())) {
                    kernel = true;
                    List<String> names = kernelFunctions.computeIfAbsent(tid, k -> new ArrayList<>());
                    if (names.size() < 200 && !names.contains(f.getMethod().getName())) {
                        names.add(f.getMethod().getName());
                    }
                }
            }
            if (kernel) {
                withKernelFrames.merge(tid, 1L, Long::sum);
            }
        }
    }

    /**
     * Each JVM-recorded jdk.ThreadSleep must be covered by kfr's intervals of the same thread: the
     * first starts within 2 ms of the sleep, and together they last no longer than the sleep (+2 ms)
     * and at least 80% of it (the JVM's event also holds on-CPU time in the sleep path, e.g. after
     * waking up). That checks kfr's clock and the time base every reader applies to kfr's chunk.
     */
    private void matchSleeps(List<RecordedEvent> sleeps) {
        long tolerance = Duration.ofMillis(2).toNanos();
        for (RecordedEvent s : sleeps) {
            if (s.getThread() == null || s.getDuration().toMillis() < 10) {
                continue;
            }
            // kfr's own threads are not recorded by it: kfr-start waits for the BPF programs' load
            // before any collector runs, kfr-shutdown for the collectors' stop after them
            String name = s.getThread().getJavaName();
            if (name != null && name.startsWith("kfr-")) {
                continue;
            }
            sleepEvents++;
            long start = epochNanos(s.getStartTime());
            long end = start + s.getDuration().toNanos();
            long firstStart = Long.MAX_VALUE;
            long covered = 0;
            for (Interval i : intervals.getOrDefault(s.getThread().getOSThreadId(), List.of())) {
                if (i.endEpochNanos() > start && i.startEpochNanos() < end) {
                    firstStart = Math.min(firstStart, i.startEpochNanos());
                    covered += i.durationNanos();
                }
            }
            long sleep = s.getDuration().toNanos();
            if (Math.abs(firstStart - start) <= tolerance && covered <= sleep + tolerance && covered >= sleep * 0.8) {
                sleepEventsMatched++;
            } else if (unmatchedSleeps.size() < 5) {
                unmatchedSleeps.add(String.format("sleep on %s at %d for %d ns: kfr intervals from %d covering %d ns",
                        s.getThread().getJavaName(), start, s.getDuration().toNanos(), firstStart, covered));
            }
        }
    }

    /** Off-CPU ns per state of the thread's individual intervals inside [from, to] (epoch ns). */
    public Map<String, Long> inWindow(long tid, long from, long to) {
        Map<String, Long> m = new TreeMap<>();
        for (Interval i : intervals.getOrDefault(tid, List.of())) {
            if (i.startEpochNanos() >= from && i.endEpochNanos() <= to) {
                m.merge(i.state(), i.durationNanos(), Long::sum);
            }
        }
        return m;
    }

    /** From the first to the last event's start, over all chunks. */
    public double durationSeconds() {
        return (lastEventNanos - firstEventNanos) / 1e9;
    }

    public long total(long tid) {
        return offCpuByTid.getOrDefault(tid, Map.of()).values().stream().mapToLong(Long::longValue).sum();
    }

    public long total(long tid, String state) {
        return offCpuByTid.getOrDefault(tid, Map.of()).getOrDefault(state, 0L);
    }

    /** A stable text form, compared between JDK 17 (in-process) and JDK 25 (child process). */
    public String format() {
        StringBuilder b = new StringBuilder();
        eventCounts.forEach((k, v) -> {
            if (k.startsWith("kfr.")) {
                b.append("count ").append(k).append(' ').append(v).append('\n');
            }
        });
        offCpuByTid.forEach((tid, m) -> m.forEach((state, ns) ->
                b.append("offcpu ").append(tid).append(' ').append(state).append(' ').append(ns).append('\n')));
        b.append("sleeps ").append(sleepEvents).append(' ').append(sleepEventsMatched).append('\n');
        return b.toString();
    }

    public static void main(String[] args) throws IOException {
        System.out.print(read(Path.of(args[0])).format());
    }
}
