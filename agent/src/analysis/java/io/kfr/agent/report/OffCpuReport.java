package io.kfr.agent.report;

import io.kfr.collectors.CollectorCounters;
import io.kfr.collectors.offcpu.OffCpuCounters;
import io.kfr.events.KfrEventNames;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A readable text summary of the kfr.OffCpu events in a .jfr file: per thread, how long it was
 * off-CPU in which state and why (the stack with the most time), then the heaviest stacks.
 */
public final class OffCpuReport {
    /** Kernel functions every blocked thread passes through; they say nothing about why. */
    private static final Set<String> SCHEDULER = Set.of("__schedule", "schedule", "schedule_preempt_disabled",
            "preempt_schedule_common", "__cond_resched", "schedule_hrtimeout_range_clock", "schedule_hrtimeout_range",
            "schedule_timeout", "io_schedule", "io_schedule_timeout", "preempt_schedule_irq", "__preempt_schedule");
    private static final int TOP_STACKS = 5;
    private static final int STACK_DEPTH = 24;

    private final Map<Long, ThreadTotals> threads = new HashMap<>();
    private final Map<String, StackTotals> stacks = new HashMap<>();
    private final Filter filter;
    private long events;
    private long statisticsEvents;
    private long recordsLost;
    private long recordsDropped;

    /**
     * Which events count: {@code thread} a substring of the thread's name (or its tid), {@code state}
     * S, D, R or OTHER, {@code fromSeconds}/{@code toSeconds} seconds after the first kfr.OffCpu
     * event's start; null for no limit.
     */
    public record Filter(String thread, String state, Double fromSeconds, Double toSeconds) {
        public static final Filter NONE = new Filter(null, null, null, null);

        boolean isNone() {
            return thread == null && state == null && fromSeconds == null && toSeconds == null;
        }
    }

    private OffCpuReport(Filter filter) {
        this.filter = filter;
    }

    public static OffCpuReport read(Path file) throws IOException {
        return read(file, Filter.NONE);
    }

    public static OffCpuReport read(Path file, Filter filter) throws IOException {
        OffCpuReport report = new OffCpuReport(filter);
        long first = Long.MAX_VALUE;
        if (filter.fromSeconds() != null || filter.toSeconds() != null) {
            try (RecordingFile in = new RecordingFile(file)) {
                while (in.hasMoreEvents()) {
                    RecordedEvent e = in.readEvent();
                    if (e.getEventType().getName().equals("kfr.OffCpu") && !e.getBoolean("aggregated")) {
                        first = Math.min(first, nanos(e.getStartTime()));
                    }
                }
            }
        }
        report.firstNanos = first;
        try (RecordingFile in = new RecordingFile(file)) {
            while (in.hasMoreEvents()) {
                RecordedEvent e = in.readEvent();
                String type = e.getEventType().getName();
                if (type.equals(KfrEventNames.OFF_CPU)) {
                    if (report.accepts(e)) {
                        report.add(e);
                    }
                } else if (type.equals(KfrEventNames.COLLECTOR_STATISTICS)) {
                    report.statisticsEvents++;
                    report.recordsLost = Math.max(report.recordsLost, e.getLong(OffCpuCounters.RECORDS_LOST.name()));
                    report.recordsDropped = Math.max(report.recordsDropped,
                            e.getLong(CollectorCounters.RECORDS_DROPPED.name()));
                }
            }
        }
        return report;
    }

    private long firstNanos = Long.MAX_VALUE;

    private static long nanos(java.time.Instant i) {
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }

    private boolean accepts(RecordedEvent e) {
        if (filter.isNone()) {
            return true;
        }
        RecordedThread t = e.getThread();
        if (filter.thread() != null) {
            String name = t == null ? "" : t.getJavaName() != null ? t.getJavaName() : String.valueOf(t.getOSName());
            if (!name.contains(filter.thread()) && !(t != null && String.valueOf(t.getOSThreadId()).equals(filter.thread()))) {
                return false;
            }
        }
        if (filter.state() != null && !filter.state().equalsIgnoreCase(e.getString("state"))) {
            return false;
        }
        if (firstNanos != Long.MAX_VALUE) {
            long start = nanos(e.getStartTime());
            long end = start + e.getDuration().toNanos();
            // an aggregated sample carries its period's start: it counts where its period overlaps
            if (filter.fromSeconds() != null && end < firstNanos + (long) (filter.fromSeconds() * 1e9)) {
                return false;
            }
            if (filter.toSeconds() != null && start > firstNanos + (long) (filter.toSeconds() * 1e9)) {
                return false;
            }
        }
        return true;
    }

    private void add(RecordedEvent e) {
        events++;
        RecordedThread t = e.getThread();
        long tid = t != null ? t.getOSThreadId() : -1;
        String name = t == null ? "?" : t.getJavaName() != null ? t.getJavaName() : t.getOSName();
        long nanos = e.getDuration().toNanos();
        String state = e.getString("state");
        long count = e.getLong("count");
        ThreadTotals tt = threads.computeIfAbsent(tid, k -> new ThreadTotals(k, name));
        tt.java |= hasJavaFrame(e.getStackTrace());
        tt.total += nanos;
        tt.count += count;
        tt.byState.merge(state, nanos, Long::sum);
        String cause = cause(e);
        tt.byCause.merge(cause, nanos, Long::sum);
        String stackText = stackText(e.getStackTrace());
        // by tid: two threads with the same name stay apart
        StackTotals st = stacks.computeIfAbsent(tid + "\u0000" + state + "\u0000" + stackText,
                k -> new StackTotals(name + " (tid " + tid + ")", tid, state, stackText));
        st.total += nanos;
        st.count += count;
    }

    public long offCpuEvents() {
        return events;
    }

    /** Off-CPU nanoseconds per Linux tid. */
    public Map<Long, Long> totalsByTid() {
        Map<Long, Long> m = new HashMap<>();
        threads.values().forEach(t -> m.put(t.tid, t.total));
        return m;
    }

    public void print(PrintStream out, String fileName) {
        print(out, fileName, List.of());
    }

    /**
     * The summary: {@code findings} first (the off-CPU rule's lines, by thread), then the threads
     * they name, then the other application threads (a pool of several threads in one line), then
     * the JVM's own threads in one line; the heaviest stacks of the named threads (of all threads
     * if none is named). Full thread names with their tids.
     */
    public void print(PrintStream out, String fileName, List<String> findings) {
        out.printf("kfr off-CPU summary of %s: %d kfr.OffCpu events, %d threads%s%n", fileName, events, threads.size(),
                filter.isNone() ? "" : " (" + describe(filter) + ")");
        if (statisticsEvents > 0) {
            out.printf("collector: %d records went to aggregates because the ring buffer was full, %d intervals lost%n",
                    recordsLost, recordsDropped);
        }
        if (events == 0) {
            out.println(filter.isNone() ? "no off-CPU events: was the agent loaded with the offcpu collector, and did it start?"
                    : "no off-CPU events match");
            return;
        }
        out.println();
        if (findings.isEmpty()) {
            out.println("findings: none (no application thread's work was held up by locks, the disk or the CPU queue)");
        } else {
            out.println("findings (waits that held up work):");
            findings.forEach(f -> out.println("  " + f));
        }
        java.util.Set<String> named = new java.util.HashSet<>();
        for (String f : findings) {
            int colon = f.indexOf(": off-CPU");
            if (colon > 0) {
                named.add(f.substring(0, colon));
            }
        }
        List<ThreadTotals> sorted = new ArrayList<>(threads.values());
        sorted.sort(Comparator.comparingLong((ThreadTotals t) -> t.total).reversed());
        List<ThreadTotals> problems = sorted.stream().filter(t -> named.contains(t.name)).toList();
        List<ThreadTotals> internals = sorted.stream().filter(t -> !named.contains(t.name) && !t.java).toList();
        Map<String, List<ThreadTotals>> pools = new java.util.LinkedHashMap<>();
        sorted.stream().filter(t -> !named.contains(t.name) && t.java)
                .forEach(t -> pools.computeIfAbsent(poolName(t.name), k -> new ArrayList<>()).add(t));
        int width = Math.max(24, sorted.stream().mapToInt(t -> label(t).length()).max().orElse(24));
        for (Map.Entry<String, List<ThreadTotals>> p : pools.entrySet()) {
            width = Math.max(width, p.getKey().length() + 20);
        }
        String row = "%-" + width + "s %10s %10s %10s %10s %10s  %s%n";
        out.println();
        out.printf(row, "thread (tid)", "off-CPU", "S sleep", "D disk/IO", "R preempt", "intervals", "main cause");
        if (!problems.isEmpty()) {
            out.println("-- threads with findings");
            problems.forEach(t -> printRow(out, row, label(t), List.of(t)));
        }
        out.println("-- other application threads" + (findings.isEmpty() ? "" : " (waiting for work or for each other)"));
        for (Map.Entry<String, List<ThreadTotals>> p : pools.entrySet()) {
            List<ThreadTotals> ts = p.getValue();
            printRow(out, row, ts.size() == 1 ? label(ts.get(0)) : p.getKey() + "* (" + ts.size() + " threads)", ts);
        }
        if (!internals.isEmpty()) {
            out.println("-- the JVM's own threads (no Java frames: GC, compiler, VM)");
            printRow(out, row, "JVM internals (" + internals.size() + " threads)", internals);
        }
        out.println();
        out.println("heaviest stacks (innermost frame first)" + (problems.isEmpty() ? "" : " of the threads with findings")
                + ":");
        java.util.Set<Long> problemTids = new java.util.HashSet<>();
        problems.forEach(t -> problemTids.add(t.tid));
        List<StackTotals> top = new ArrayList<>(stacks.values().stream()
                .filter(st -> problemTids.isEmpty() || problemTids.contains(st.tid)).toList());
        top.sort(Comparator.comparingLong((StackTotals st) -> st.total).reversed());
        int i = 0;
        for (StackTotals st : top) {
            if (i++ == TOP_STACKS) {
                break;
            }
            out.printf("%n%d. %s in state %s on thread %s (%d intervals)%n%s", i, ms(st.total), st.state, st.thread,
                    st.count, st.text);
        }
    }

    private static String describe(Filter f) {
        List<String> parts = new ArrayList<>();
        if (f.thread() != null) {
            parts.add("thread " + f.thread());
        }
        if (f.state() != null) {
            parts.add("state " + f.state());
        }
        if (f.fromSeconds() != null || f.toSeconds() != null) {
            parts.add("from " + (f.fromSeconds() == null ? "the start" : f.fromSeconds() + " s") + " to "
                    + (f.toSeconds() == null ? "the end" : f.toSeconds() + " s"));
        }
        return String.join(", ", parts);
    }

    private static String label(ThreadTotals t) {
        return t.name + " (" + t.tid + ")";
    }

    /** A pool's name: the thread's name without its trailing number ("qtp123-45" -> "qtp123-"). */
    static String poolName(String name) {
        String p = name.replaceFirst("\\d+$", "");
        return p.isEmpty() ? name : p;
    }

    private static void printRow(PrintStream out, String row, String label, List<ThreadTotals> ts) {
        long total = 0;
        long count = 0;
        Map<String, Long> byState = new HashMap<>();
        Map<String, Long> byCause = new HashMap<>();
        for (ThreadTotals t : ts) {
            total += t.total;
            count += t.count;
            t.byState.forEach((k, v) -> byState.merge(k, v, Long::sum));
            t.byCause.forEach((k, v) -> byCause.merge(k, v, Long::sum));
        }
        String cause = byCause.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse("");
        out.printf(row, label, ms(total), ms(byState.getOrDefault("S", 0L)), ms(byState.getOrDefault("D", 0L)),
                ms(byState.getOrDefault("R", 0L)), count, cause);
    }

    private static boolean hasJavaFrame(RecordedStackTrace st) {
        if (st != null) {
            for (RecordedFrame f : st.getFrames()) {
                if (Frames.isJava(f)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Why: the syscall, the first kernel function below the scheduler, the innermost native frame
     * and the first Java frame of the application (outside java.*, jdk.*, sun.*), or else the
     * innermost Java frame.
     */
    private static String cause(RecordedEvent e) {
        String syscall = e.getString("syscall");
        String kernel = null;
        String user = null;
        String java = null;
        String jdkJava = null;
        RecordedStackTrace st = e.getStackTrace();
        if (st != null) {
            for (RecordedFrame f : st.getFrames()) {
                String type = f.getType();
                String method = f.getMethod().getName();
                String owner = f.getMethod().getType().getName();
                if ("Kernel".equals(type)) {
                    if (kernel == null && !SCHEDULER.contains(method)) {
                        kernel = method;
                    }
                } else if (Frames.isJava(f)) {
                    if (jdkJava == null) {
                        jdkJava = javaFrame(f);
                    }
                    if (java == null && !isJdk(owner)) {
                        java = javaFrame(f);
                    }
                } else if (user == null) {
                    user = owner + " " + ("C++".equals(type) ? io.kfr.jmc.events.CppNames.readable(method) : method);
                }
            }
        }
        StringBuilder b = new StringBuilder();
        if (syscall != null && !syscall.isEmpty()) {
            b.append(syscall).append(": ");
        }
        b.append(kernel != null ? kernel : "?");
        if (user != null) {
            b.append(" <- ").append(user);
        }
        String javaCause = java != null ? java : jdkJava;
        if (javaCause != null) {
            b.append(" <- ").append(javaCause);
        }
        return b.toString();
    }

    private static boolean isJdk(String owner) {
        return owner.startsWith("java.") || owner.startsWith("jdk.") || owner.startsWith("sun.");
    }

    private static String javaFrame(RecordedFrame f) {
        String owner = f.getMethod().getType().getName();
        String simple = owner.substring(owner.lastIndexOf('.') + 1);
        return simple + "." + f.getMethod().getName() + (f.getLineNumber() > 0 ? ":" + f.getLineNumber() : "");
    }

    /** The stack without the scheduler's own frames, which every blocked thread has. */
    private static String stackText(RecordedStackTrace st) {
        if (st == null) {
            return "    (no stack)\n";
        }
        StringBuilder b = new StringBuilder();
        int n = 0;
        for (RecordedFrame f : st.getFrames()) {
            if ("Kernel".equals(f.getType()) && SCHEDULER.contains(f.getMethod().getName())) {
                continue;
            }
            if (n++ == STACK_DEPTH) {
                b.append("    ...\n");
                break;
            }
            String owner = f.getMethod().getType().getName();
            String method = "C++".equals(f.getType()) ? io.kfr.jmc.events.CppNames.readable(f.getMethod().getName())
                    : f.getMethod().getName();
            b.append(String.format("    %-12s %s%s%n", f.getType(),
                    "Kernel".equals(f.getType()) ? "" : owner + " ", method
                            + (f.getLineNumber() > 0 ? ":" + f.getLineNumber() : "")));
        }
        return b.toString();
    }

    private static String ms(long nanos) {
        return String.format("%.1f ms", nanos / 1e6);
    }

    private static final class ThreadTotals {
        final long tid;
        final String name;
        boolean java;
        long total;
        long count;
        final Map<String, Long> byState = new HashMap<>();
        final Map<String, Long> byCause = new HashMap<>();

        ThreadTotals(long tid, String name) {
            this.tid = tid;
            this.name = name;
        }

        String mainCause() {
            return byCause.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse("");
        }
    }

    private static final class StackTotals {
        final String thread;
        final long tid;
        final String state;
        final String text;
        long total;
        long count;

        StackTotals(String thread, long tid, String state, String text) {
            this.thread = thread;
            this.tid = tid;
            this.state = state;
            this.text = text;
        }
    }
}
