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
 * process in the tests) and prints what the test compares: event types, counts per type, and each
 * kfr.OffCpu event's start, duration (epoch ns) and OS thread id.
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
                            .append(e.getStackTrace() == null ? 0 : e.getStackTrace().getFrames().size()).append('\n');
                }
            }
            counts.forEach((k, v) -> out.append("C ").append(k).append(' ').append(v).append('\n'));
        }
        System.out.print(out);
    }

    private static long nanos(Instant i) {
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }
}
