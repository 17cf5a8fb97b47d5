package io.kfr.agent.report;

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
    private long events;
    private long statisticsEvents;
    private long recordsLost;
    private long recordsDropped;

    public static OffCpuReport read(Path file) throws IOException {
        OffCpuReport report = new OffCpuReport();
        try (RecordingFile in = new RecordingFile(file)) {
            while (in.hasMoreEvents()) {
                RecordedEvent e = in.readEvent();
                String type = e.getEventType().getName();
                if (type.equals("kfr.OffCpu")) {
                    report.add(e);
                } else if (type.equals("kfr.CollectorStatistics")) {
                    report.statisticsEvents++;
                    report.recordsLost = Math.max(report.recordsLost, e.getLong("recordsLost"));
                    report.recordsDropped = Math.max(report.recordsDropped, e.getLong("recordsDropped"));
                }
            }
        }
        return report;
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
        tt.total += nanos;
        tt.count += count;
        tt.byState.merge(state, nanos, Long::sum);
        String cause = cause(e);
        tt.byCause.merge(cause, nanos, Long::sum);
        String stackText = stackText(e.getStackTrace());
        StackTotals st = stacks.computeIfAbsent(name + "\u0000" + state + "\u0000" + stackText,
                k -> new StackTotals(name, state, stackText));
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
        out.printf("kfr off-CPU summary of %s: %d kfr.OffCpu events, %d threads%n", fileName, events, threads.size());
        if (statisticsEvents > 0) {
            out.printf("collector: %d records went to aggregates because the ring buffer was full, %d intervals lost%n",
                    recordsLost, recordsDropped);
        }
        if (events == 0) {
            out.println("no off-CPU events: was the agent loaded with the offcpu collector, and did it start?");
            return;
        }
        out.println();
        out.printf("%-32s %10s %10s %10s %10s %10s  %s%n", "thread (tid)", "off-CPU", "S sleep", "D disk/IO",
                "R preempt", "intervals", "main cause");
        List<ThreadTotals> sorted = new ArrayList<>(threads.values());
        sorted.sort(Comparator.comparingLong((ThreadTotals t) -> t.total).reversed());
        for (ThreadTotals t : sorted) {
            out.printf("%-32s %10s %10s %10s %10s %10d  %s%n", clip(t.name + " (" + t.tid + ")", 32), ms(t.total),
                    ms(t.byState.getOrDefault("S", 0L)), ms(t.byState.getOrDefault("D", 0L)),
                    ms(t.byState.getOrDefault("R", 0L)), t.count, t.mainCause());
        }
        out.println();
        out.println("heaviest stacks (innermost frame first):");
        List<StackTotals> top = new ArrayList<>(stacks.values());
        top.sort(Comparator.comparingLong((StackTotals s) -> s.total).reversed());
        int i = 0;
        for (StackTotals s : top) {
            if (i++ == TOP_STACKS) {
                break;
            }
            out.printf("%n%d. %s in state %s on thread %s (%d intervals)%n%s", i, ms(s.total), s.state, s.thread,
                    s.count, s.text);
        }
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
                    user = owner + " " + method;
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
            b.append(String.format("    %-12s %s%s%n", f.getType(),
                    "Kernel".equals(f.getType()) ? "" : owner + " ", f.getMethod().getName()
                            + (f.getLineNumber() > 0 ? ":" + f.getLineNumber() : "")));
        }
        return b.toString();
    }

    private static String ms(long nanos) {
        return String.format("%.1f ms", nanos / 1e6);
    }

    private static String clip(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n - 1) + "~";
    }

    private static final class ThreadTotals {
        final long tid;
        final String name;
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
        final String state;
        final String text;
        long total;
        long count;

        StackTotals(String thread, String state, String text) {
            this.thread = thread;
            this.state = state;
            this.text = text;
        }
    }
}
