package io.kfr.agent.report;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A text summary of the kfr.CpuSample events in a .jfr file: where the CPU time went, per thread
 * and per innermost frame (a Java method, a native or JVM function, or the kernel), and the Java
 * method each thread was in.
 */
public final class CpuReport {
    private static final int TOP = 12;

    private final Map<String, Long> byThread = new HashMap<>();
    private final Map<String, Long> bySelf = new HashMap<>();
    private final Map<String, Long> byJava = new HashMap<>();
    private long samples;
    private long weightNanos;

    public static CpuReport read(Path file) throws IOException {
        CpuReport r = new CpuReport();
        try (RecordingFile in = new RecordingFile(file)) {
            while (in.hasMoreEvents()) {
                RecordedEvent e = in.readEvent();
                if (e.getEventType().getName().equals("kfr.CpuSample")) {
                    r.add(e);
                }
            }
        }
        return r;
    }

    public boolean isEmpty() {
        return samples == 0;
    }

    private void add(RecordedEvent e) {
        samples++;
        weightNanos += e.getDuration("weight").toNanos();
        RecordedThread t = e.getThread("eventThread");
        String thread = t == null ? "?" : t.getJavaName() != null ? t.getJavaName() : t.getOSName();
        byThread.merge(thread, 1L, Long::sum);
        List<RecordedFrame> frames = e.getStackTrace() == null ? List.of() : e.getStackTrace().getFrames();
        bySelf.merge(frames.isEmpty() ? "(no stack)" : frame(frames.get(0)), 1L, Long::sum);
        frames.stream().filter(Frames::isJava).findFirst().ifPresent(f -> byJava.merge(frame(f), 1L, Long::sum));
    }

    public void print(PrintStream out, String fileName) {
        out.printf("kfr CPU summary of %s: %d samples (%.1f s of CPU time)%n", fileName, samples, weightNanos / 1e9);
        if (samples == 0) {
            return;
        }
        section(out, "by thread", byThread);
        section(out, "by innermost frame (where the CPU was)", bySelf);
        section(out, "by Java method (innermost Java frame of the sample)", byJava);
    }

    private void section(PrintStream out, String title, Map<String, Long> counts) {
        out.printf("%n%s:%n", title);
        counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())).limit(TOP)
                .forEach(c -> out.printf("  %5.1f%%  %6d  %s%n", 100.0 * c.getValue() / samples, c.getValue(), c.getKey()));
    }

    private static String frame(RecordedFrame f) {
        String owner = f.getMethod().getType().getName();
        String where = "Kernel".equals(f.getType()) ? "kernel " : owner + (Frames.isJava(f) ? "." : " ");
        return where + f.getMethod().getName() + (f.getLineNumber() > 0 ? ":" + f.getLineNumber() : "")
                + " (" + f.getType() + ")";
    }
}
