package io.kfr.agent.convert;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Set;

/**
 * Reads kfr's events from a .jfr file with the JDK's own reader (as {@code kfr summary} does), one
 * event at a time, and sums them into a {@link Profile}. The JVM's chunk comes first in a kfr file,
 * so the process facts (pid, start time) are known before kfr's events are read.
 */
final class ProfileReader {
    private ProfileReader() {
    }

    static Profile read(Path file, Set<EventKind> kinds, TimeWindow window) throws ConvertException {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new ConvertException("cannot read " + file);
        }
        RecordingFacts facts = new RecordingFacts();
        Profile.Builder builder = new Profile.Builder();
        JfrFrames frames = new JfrFrames();
        ThreadNames names = new ThreadNames();
        try (RecordingFile in = new RecordingFile(file)) {
            while (in.hasMoreEvents()) {
                RecordedEvent e = in.readEvent();
                String type = e.getEventType().getName();
                EventKind kind = EventKind.ofEventType(type);
                if (type.equals(NativeImageTable.NATIVE_IMAGE) || type.equals(NativeImageTable.NATIVE_SYMBOL)) {
                    images(builder.images, type, e);
                    continue;
                }
                if (kind == null) {
                    facts.offer(e);
                    names.learn(e);
                    continue;
                }
                if (!kinds.contains(kind)) {
                    continue;
                }
                long start = nanos(e.getStartTime());
                if (!window.isAll()) {
                    window.resolve(facts.jvmStartNanos);
                    if (!window.contains(start)) {
                        continue;
                    }
                }
                add(builder, kind, e, start, frames, names);
            }
        } catch (IOException | RuntimeException e) {
            // the JDK's reader says "Not a Flight Recorder file", or fails on a truncated chunk
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
            throw new ConvertException(file + " is not a readable JFR recording: " + why);
        }
        return builder.build(kinds, facts, window);
    }

    private static void add(Profile.Builder builder, EventKind kind, RecordedEvent e, long start, JfrFrames frames,
                            ThreadNames names) {
        RecordedThread t = e.getThread("eventThread");
        String thread = names.name(t);
        long tid = t == null ? -1 : t.getOSThreadId();
        long duration = e.getDuration().toNanos();
        String state = kind == EventKind.OFFCPU && e.hasField("state") ? nullToEmpty(e.getString("state")) : "";
        String syscall = kind == EventKind.OFFCPU && e.hasField("syscall") ? nullToEmpty(e.getString("syscall")) : "";
        long weight = kind == EventKind.OFFCPU ? duration : e.getDuration("weight").toNanos();
        builder.add(kind, thread, tid, state, syscall,
                frames.stack(e.getStackTrace()), start, duration, weight);
    }

    private static void images(NativeImageTable images, String type, RecordedEvent e) {
        if (type.equals(NativeImageTable.NATIVE_IMAGE)) {
            images.image(e.getString("image"), e.getString("path"), e.getString("buildId"), e.getLong("memoryStart"),
                    e.getLong("memoryLimit"), e.getLong("fileOffset"));
        } else {
            images.symbol(e.getString("image"), e.getString("symbol"), e.getLong("address"));
        }
    }

    private static long nanos(Instant t) {
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
