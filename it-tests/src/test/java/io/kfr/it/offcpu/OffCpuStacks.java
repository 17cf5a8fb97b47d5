package io.kfr.it.offcpu;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The kfr.OffCpu events of a recording with their stack frames, for the Java-frame tests; and which
 * frames of a stack are Java frames: the contract writes kernel frames, then native frames ("Native"
 * with a library as class, "C++"), then the Java frames ("Interpreted", "JIT compiled", "Inlined",
 * and "Native" with a Java class for native methods), innermost first.
 */
final class OffCpuStacks {
    static final Set<String> JAVA_TYPES = Set.of("Interpreted", "JIT compiled", "Inlined");
    /** A native frame's "class" is its ELF object: libc.so.6, libjvm.so, ld-linux-x86-64.so.2. */
    private static final Pattern LIBRARY = Pattern.compile(".*\\.so(\\.[0-9]+)*");

    /** hidden: RecordedMethod.isHidden() (lambda forms, hidden classes), as kfr flags it. */
    record Frame(String type, String className, String method, int line, int bci, boolean hidden) {
        boolean unknown() {
            return "[unknown]".equals(method);
        }

        /**
         * A Java frame: interpreted, compiled, inlined, a Java native method (Native with a Java
         * class), or one kfr could not name (class "[java: reason]" or "[truncated]", read back
         * without the brackets).
         */
        boolean java() {
            return JAVA_TYPES.contains(type)
                    || "Native".equals(type) && className.contains(".") && !LIBRARY.matcher(className).matches()
                    || unknown() && (className.startsWith("java:") || className.equals("truncated"));
        }

        /** A code-cache stub between Java frames (adapter, runtime stub): "[stub] name" in libjvm.so. */
        boolean stub() {
            return method.startsWith("[stub]");
        }

        /**
         * Frames Thread.getStackTrace() leaves out (lambda forms, lambda proxies, other hidden
         * classes), which kfr may show; the comparison skips them. kfr flags them; the names are a
         * second line of defence.
         */
        boolean hiddenLike() {
            return hidden || className.contains("$$Lambda") || className.contains("LambdaForm$")
                    || className.contains("/0x") || className.contains("+0x") || className.contains("$$InjectedInvoker");
        }

        @Override
        public String toString() {
            return String.format("%-12s %s.%s", type, className, method) + (java() ? " line " + line + " bci " + bci : "")
                    + (hidden ? " (hidden)" : "");
        }
    }

    /** threadName: the Java name, else the OS name; javaThread: kfr knew it as a Java thread. */
    record Event(long tid, String threadName, boolean javaThread, long startEpochNanos, long durationNanos, String state,
                 boolean aggregated, List<Frame> frames) {
        long endEpochNanos() {
            return startEpochNanos + durationNanos;
        }

        /**
         * The Java part: from the first Java frame (top down) to the bottom, empty if there is none;
         * it may hold stubs between Java frames.
         */
        List<Frame> javaFrames() {
            for (int i = 0; i < frames.size(); i++) {
                if (frames.get(i).java()) {
                    return frames.subList(i, frames.size());
                }
            }
            return List.of();
        }
    }

    private OffCpuStacks() {
    }

    /** Every kfr.OffCpu event of the file, individual and aggregated. */
    static List<Event> read(Path file) throws IOException {
        List<Event> events = new ArrayList<>();
        // the reader hands out one RecordedStackTrace per stack id: convert each once
        Map<RecordedStackTrace, List<Frame>> converted = new IdentityHashMap<>();
        try (RecordingFile in = new RecordingFile(file)) {
            while (in.hasMoreEvents()) {
                RecordedEvent e = in.readEvent();
                if (!e.getEventType().getName().equals("kfr.OffCpu")) {
                    continue;
                }
                RecordedStackTrace st = e.getStackTrace();
                List<Frame> frames = st == null ? List.of() : converted.computeIfAbsent(st, OffCpuStacks::frames);
                RecordedThread t = e.getThread();
                events.add(new Event(t == null ? -1 : t.getOSThreadId(),
                        t == null ? "" : t.getJavaName() != null ? t.getJavaName() : String.valueOf(t.getOSName()),
                        t != null && t.getJavaName() != null, epochNanos(e.getStartTime()), e.getDuration().toNanos(), e.getString("state"),
                        e.getBoolean("aggregated"), frames));
            }
        }
        return events;
    }

    /** Individual (not aggregated) events per tid, by start time. */
    static Map<Long, List<Event>> individualByTid(List<Event> events) {
        Map<Long, List<Event>> m = new TreeMap<>();
        for (Event e : events) {
            if (!e.aggregated()) {
                m.computeIfAbsent(e.tid(), k -> new ArrayList<>()).add(e);
            }
        }
        m.values().forEach(l -> l.sort(Comparator.comparingLong(Event::startEpochNanos)));
        return m;
    }

    private static List<Frame> frames(RecordedStackTrace st) {
        List<Frame> frames = new ArrayList<>();
        for (RecordedFrame f : st.getFrames()) {
            String cls = f.getMethod() == null || f.getMethod().getType() == null ? "" : f.getMethod().getType().getName();
            String method = f.getMethod() == null ? "" : f.getMethod().getName();
            boolean hidden = f.getMethod() != null && f.getMethod().isHidden();
            frames.add(new Frame(f.getType(), cls, method, f.getLineNumber(), f.getBytecodeIndex(), hidden));
        }
        return List.copyOf(frames);
    }

    static long epochNanos(Instant i) {
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }

    /** The frames one per line, runs of identical lines folded ("x 19"), for failure messages. */
    static String describe(List<?> lines, String indent) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < lines.size(); ) {
            String s = String.valueOf(lines.get(i));
            int j = i + 1;
            while (j < lines.size() && String.valueOf(lines.get(j)).equals(s)) {
                j++;
            }
            b.append(indent).append(String.format("[%2d] ", i)).append(s).append(j - i > 1 ? "   x " + (j - i) : "")
                    .append('\n');
            i = j;
        }
        return b.toString();
    }
}
