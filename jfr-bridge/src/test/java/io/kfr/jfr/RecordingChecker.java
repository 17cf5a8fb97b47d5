package io.kfr.jfr;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

import jdk.jfr.EventType;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Reads a recording with jdk.jfr.consumer.RecordingFile of the JDK it runs on (a JDK 25 child
 * process in the tests) and prints what the test compares: event types, counts per type, each
 * kfr.OffCpu event's start, duration (epoch ns), OS thread id and frame count ("E"), each
 * kfr.CpuSample's start, OS thread id, frame count, cpu and weight ("P") and each
 * jdk.ExecutionSample's start, sampled thread's OS thread id, frame count and state ("X").
 */
public final class RecordingChecker {
    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        StringBuilder out = new StringBuilder();
        try (RecordingFile rf = new RecordingFile(file)) {
            for (EventType t : rf.readEventTypes()) {
                out.append("T ").append(t.getName()).append('\n');
            }
            Map<String, Integer> counts = new TreeMap<>();
            while (rf.hasMoreEvents()) {
                RecordedEvent e = rf.readEvent();
                String name = e.getEventType().getName();
                counts.merge(name, 1, Integer::sum);
                if (name.equals("kfr.OffCpu")) {
                    RecordedThread t = e.getThread();
                    out.append("E ").append(nanos(e.getStartTime())).append(' ').append(e.getDuration().toNanos())
                            .append(' ').append(t == null ? -1 : t.getOSThreadId()).append(' ')
                            .append(frames(e)).append('\n');
                } else if (name.equals("kfr.CpuSample")) {
                    out.append("P ").append(nanos(e.getStartTime())).append(' ').append(e.getThread().getOSThreadId())
                            .append(' ').append(frames(e)).append(' ').append(e.getInt("cpu")).append(' ')
                            .append(e.getDuration("weight").toNanos()).append('\n');
                } else if (name.equals("jdk.ExecutionSample")) {
                    RecordedThread t = e.getThread("sampledThread");
                    out.append("X ").append(nanos(e.getStartTime())).append(' ').append(t == null ? -1 : t.getOSThreadId())
                            .append(' ').append(frames(e)).append(' ').append(e.getString("state")).append('\n');
                }
            }
            counts.forEach((k, v) -> out.append("C ").append(k).append(' ').append(v).append('\n'));
        }
        System.out.print(out);
    }

    private static int frames(RecordedEvent e) {
        return e.getStackTrace() == null ? 0 : e.getStackTrace().getFrames().size();
    }

    private static long nanos(Instant i) {
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }
}
