package io.kfr.jfr;

import io.kfr.collectors.OffCpuSample;
import io.kfr.collectors.OffCpuState;
import io.kfr.collectors.ThreadRef;
import io.kfr.events.KfrEventNames;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The segmented spool: whole segments leave the window by age and by size, every kept event's
 * thread and stack resolve in its own segment's chunk (each segment has its own pools, and a
 * closed segment's pools come back from its journal), and a spool left on disk is recovered.
 */
class SpoolSegmentsTest {
    private static final long MS = 1_000_000L;

    @TempDir
    Path dir;

    @Test
    void keepsTheLastMaxAgeInWholeSegments() throws Exception {
        long maxAge = 2_000 * MS;
        SpoolRetention retention = new SpoolRetention(64L << 20, maxAge); // segments of 0.5 s (the least)
        Path spoolDir = dir.resolve("spool");
        try (KfrChunk chunk = new KfrChunk(spoolDir, t -> t, KfrChunk.MAX_SPOOL_BYTES, () -> 0, retention)) {
            long added = churn(chunk, 6_000 * MS);
            long writtenAt = epochNanos();
            Path file = dir.resolve("window.jfr");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            chunk.writeChunk(out, TimeBase.ofNanos(writtenAt - 10_000 * MS));
            Files.write(file, out.toByteArray());

            List<RecordedEvent> events = offCpu(file);
            assertTrue(chunk.eventsOutOfWindow() > 0, "segments left the window");
            assertEquals(added, chunk.eventCount() + chunk.eventsOutOfWindow());
            assertEquals(chunk.eventCount(), events.size());
            long oldestAllowed = writtenAt - maxAge - retention.segmentNanos() - 300 * MS;
            long oldest = events.stream().mapToLong(e -> nanos(e.getEndTime())).min().getAsLong();
            long newest = events.stream().mapToLong(e -> nanos(e.getEndTime())).max().getAsLong();
            assertTrue(oldest >= oldestAllowed, "nothing older than maxage and one segment: " + (writtenAt - oldest) / MS + " ms old");
            assertTrue(writtenAt - oldest >= maxAge - 300 * MS, "the whole window is kept: oldest " + (writtenAt - oldest) / MS + " ms");
            assertTrue(writtenAt - newest < 300 * MS, "up to the last events");
            for (RecordedEvent e : events) {
                assertNotNull(e.getThread(), "thread resolves");
                assertTrue(e.getThread().getJavaName().startsWith("churn-"), e.getThread().getJavaName());
                List<RecordedFrame> frames = e.getStackTrace().getFrames();
                assertEquals(TestSamples.FULL.frames().size(), frames.size());
                assertEquals("parkNanos", frames.get(6).getMethod().getName());
            }
            assertEquals(events.size(), new JmcReader(file.toFile()).events(KfrEventNames.OFF_CPU).size(), "JMC reads the same");
            long spools = count(spoolDir, ".spool");
            assertTrue(spools <= maxAge / retention.segmentNanos() + 2, spools + " segments on disk");
            assertEquals(spools, count(spoolDir, ".pools"));
        }
        assertEquals(0, count(spoolDir, ""), "close deletes every segment");
    }

    @Test
    void keepsAtMostMaxSizeOnDisk() throws Exception {
        SpoolRetention retention = new SpoolRetention(1L << 20, 3_600_000 * MS); // segments of 128 kB
        Path spoolDir = dir.resolve("spool");
        try (KfrChunk chunk = new KfrChunk(spoolDir, t -> t, KfrChunk.MAX_SPOOL_BYTES, () -> 0, retention)) {
            long peak = 0;
            long start = epochNanos();
            for (int i = 0; i < 200_000; i++) { // ~35 bytes each: 7 MB spooled
                chunk.addOffCpu(sample(i, start + i * 10_000L));
                if (i % 5_000 == 0) {
                    peak = Math.max(peak, bytes(spoolDir));
                }
            }
            assertTrue(peak <= (1L << 20) + retention.segmentBytes() + 128 * 1024, "disk flat: peak " + peak);
            Path file = dir.resolve("size.jfr");
            try (java.io.OutputStream out = Files.newOutputStream(file)) {
                chunk.writeChunk(out, TimeBase.ofNanos(start));
            }
            List<RecordedEvent> events = offCpu(file);
            assertEquals(chunk.eventCount(), events.size());
            assertTrue(chunk.eventsOutOfWindow() > 150_000, "older segments dropped: " + chunk.eventsOutOfWindow());
            long newestKept = events.stream().mapToLong(e -> nanos(e.getEndTime())).max().getAsLong();
            assertEquals(start + 199_999 * 10_000L + 1 * MS, newestKept, "the newest event is kept");
            assertEquals(0, chunk.eventsLost(), "leaving the window is not a loss");
        }
    }

    /** A spool whose JVM is gone (never closed: its files stay) becomes a file with every whole record. */
    @Test
    void recoversASpoolLeftOnDisk() throws Exception {
        SpoolRetention retention = new SpoolRetention(1L << 20, 3_600_000 * MS);
        Path spoolDir = dir.resolve("left");
        KfrChunk chunk = new KfrChunk(spoolDir, t -> t, KfrChunk.MAX_SPOOL_BYTES, () -> 0, retention);
        long start = epochNanos();
        for (int i = 0; i < 30_000; i++) { // several segments
            chunk.addOffCpu(sample(i, start + i * 10_000L));
        }
        // as a kill leaves it: what was written, plus a record cut in the middle at the end
        List<Path> segments = SpoolRecovery.segments(spoolDir);
        assertTrue(segments.size() >= 3, segments.toString());
        Path last = segments.get(segments.size() - 1);
        Files.write(last, new byte[] {(byte) KfrEventTypes.OFF_CPU.kind(), 1, 2}, java.nio.file.StandardOpenOption.APPEND);

        Path file = dir.resolve("recovered.jfr");
        SpoolRecovery.Result r = KeptData.recover(spoolDir, file);
        assertEquals(3, r.bytesCut);
        List<RecordedEvent> events = offCpu(file);
        assertEquals(r.events, events.size());
        assertTrue(r.events >= 30_000 - 64 * 1024 / 30, "all but the last unwritten buffer: " + r.events);
        for (RecordedEvent e : events) {
            assertTrue(e.getThread().getJavaName().startsWith("churn-"));
            assertEquals(TestSamples.FULL.frames().size(), e.getStackTrace().getFrames().size());
        }
        assertEquals(events.size(), new JmcReader(file.toFile()).events(KfrEventNames.OFF_CPU).size());
        chunk.close();
    }

    /** Off-CPU samples of now on threads that come and go (a new one every 500 events). */
    private static long churn(KfrChunk chunk, long forNanos) throws InterruptedException {
        long begin = System.nanoTime();
        long i = 0;
        while (System.nanoTime() - begin < forNanos) {
            chunk.addOffCpu(sample(i, epochNanos() - MS));
            if (++i % 20 == 0) {
                Thread.sleep(1);
            }
        }
        return i;
    }

    private static OffCpuSample sample(long i, long startNanos) {
        int n = (int) (i / 500);
        ThreadRef t = new ThreadRef(700_000 + n, "churn-" + n, 1_000 + n, "churn-" + n);
        return new OffCpuSample(t, startNanos, MS, OffCpuState.S, 202, "futex", 1, false, TestSamples.FULL);
    }

    private static List<RecordedEvent> offCpu(Path file) throws Exception {
        return RecordingFile.readAllEvents(file).stream().filter(e -> e.getEventType().getName().equals(KfrEventNames.OFF_CPU))
                .collect(Collectors.toList());
    }

    private static long nanos(java.time.Instant t) {
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    private static long epochNanos() {
        java.time.Instant now = java.time.Instant.now();
        return nanos(now);
    }

    private static long count(Path dir, String suffix) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(suffix)).count();
        }
    }

    private static long bytes(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.mapToLong(p -> p.toFile().length()).sum();
        }
    }
}
