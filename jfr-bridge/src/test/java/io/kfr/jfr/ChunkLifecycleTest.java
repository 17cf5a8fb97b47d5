package io.kfr.jfr;

import io.kfr.events.KfrEventNames;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kfr.collectors.OffCpuSample;
import io.kfr.collectors.OffCpuState;
import io.kfr.collectors.ThreadRef;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import jdk.jfr.EventType;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Dumps while recording continues, the empty chunk, and what a failed merge leaves behind. */
class ChunkLifecycleTest {
    private static JvmRecordings.Recording jvm;
    private static TimeBase tb;

    @TempDir
    Path dir;

    @BeforeAll
    static void recording() throws Exception {
        jvm = JvmRecordings.of(17);
        tb = TimeBase.ofFirstChunk(jvm.file());
    }

    @Test
    void writeChunkTwiceWhileAddingContinues() throws Exception {
        TestSamples samples = new TestSamples(tb, jvm.mainTid(), 1000);
        List<OffCpuSample> first = samples.offCpu.subList(0, 400);
        List<OffCpuSample> second = samples.offCpu.subList(400, 1000);
        try (KfrChunk chunk = new KfrChunk(dir.resolve("spool"))) {
            first.forEach(chunk::addOffCpu);
            JfrFiles.mergeAtomically(jvm.file(), chunk, dir.resolve("a.jfr"));
            Path aloneA = writeAlone(chunk, "a-alone.jfr");
            second.forEach(chunk::addOffCpu);
            samples.statistics.forEach(chunk::addStatistics);
            JfrFiles.mergeAtomically(jvm.file(), chunk, dir.resolve("b.jfr"));
            Path aloneB = writeAlone(chunk, "b-alone.jfr");

            assertEquals(400, offCpuCount(dir.resolve("a.jfr")));
            assertEquals(1000, offCpuCount(dir.resolve("b.jfr")));
            assertEquals(400, offCpuCount(aloneA), "kfr's chunk is a valid recording on its own");
            assertEquals(1000, offCpuCount(aloneB));
            assertEquals(400, new JmcReader(dir.resolve("a.jfr").toFile()).events(KfrEventNames.OFF_CPU).size());
            assertEquals(1000, new JmcReader(dir.resolve("b.jfr").toFile()).events(KfrEventNames.OFF_CPU).size());
            assertEquals(5, new JmcReader(dir.resolve("b.jfr").toFile()).events(KfrEventNames.COLLECTOR_STATISTICS).size());
        }
    }

    /**
     * A spool at its bound (or on a file system without the reserve kfr leaves free) stops taking
     * events: it says so once, counts what it refuses, and the chunk holds exactly the events
     * spooled before, readable by every reader.
     */
    @Test
    void boundedSpoolStopsAndKeepsWhatItHas() throws Exception {
        TestSamples samples = new TestSamples(tb, jvm.mainTid(), 20_000);
        List<String> told = new ArrayList<>();
        try (KfrChunk chunk = new KfrChunk(dir.resolve("spool"), t -> t, 256 * 1024, () -> 0)) {
            chunk.onSpoolStopped(told::add);
            samples.offCpu.forEach(chunk::addOffCpu);
            Path file = dir.resolve("bounded.jfr");
            JfrFiles.mergeAtomically(jvm.file(), chunk, file);
            assertEquals(1, told.size(), "said once: " + told);
            assertTrue(told.get(0).contains("bound"), told.get(0));
            assertTrue(chunk.eventsLost() > 0, "events refused are counted");
            assertEquals(20_000, chunk.eventCount() + chunk.eventsLost());
            assertTrue(Files.size(dir.resolve("spool").toFile().listFiles()[0].toPath()) <= 256 * 1024, "bounded");
            assertEquals(chunk.eventCount(), offCpuCount(file));
            assertEquals(chunk.eventCount(), new JmcReader(file.toFile()).events(KfrEventNames.OFF_CPU).size());
        }
        // a file system that lacks the reserve: nothing is spooled, and that is said
        told.clear();
        try (KfrChunk chunk = new KfrChunk(dir.resolve("spool2"), t -> t, Long.MAX_VALUE, () -> Long.MAX_VALUE / 2)) {
            chunk.onSpoolStopped(told::add);
            samples.offCpu.forEach(chunk::addOffCpu);
            JfrFiles.mergeAtomically(jvm.file(), chunk, dir.resolve("none.jfr"));
            assertEquals(1, told.size(), told.toString());
            assertTrue(told.get(0).contains("free where kfr spools"), told.get(0));
            assertEquals(0, chunk.eventCount());
            assertEquals(20_000, chunk.eventsLost());
            assertEquals(0, offCpuCount(dir.resolve("none.jfr")));
        }
    }

    @Test
    void chunksWrittenDuringConcurrentAddsAreValid() throws Exception {
        TestSamples samples = new TestSamples(tb, jvm.mainTid(), 2000);
        int threads = 4;
        try (KfrChunk chunk = new KfrChunk(dir.resolve("spool"))) {
            AtomicBoolean failed = new AtomicBoolean();
            List<Thread> adders = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Thread a = new Thread(() -> {
                    try {
                        samples.offCpu.forEach(chunk::addOffCpu);
                    } catch (RuntimeException e) {
                        failed.set(true);
                        throw e;
                    }
                });
                adders.add(a);
                a.start();
            }
            List<Path> dumps = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                Path p = dir.resolve("dump" + i + ".jfr");
                JfrFiles.mergeAtomically(jvm.file(), chunk, p);
                dumps.add(p);
            }
            for (Thread a : adders) {
                a.join();
            }
            JfrFiles.mergeAtomically(jvm.file(), chunk, dir.resolve("final.jfr"));
            assertTrue(!failed.get());
            long previous = 0;
            for (Path p : dumps) {
                long n = offCpuCount(p);
                assertTrue(n >= previous && n <= threads * 2000L, "dump has " + n);
                previous = n;
            }
            assertEquals(threads * 2000L, offCpuCount(dir.resolve("final.jfr")));
            assertEquals(threads * 2000, new JmcReader(dir.resolve("final.jfr").toFile()).events(KfrEventNames.OFF_CPU).size());
        }
    }

    /** An empty KfrChunk still writes a valid chunk: readers see kfr's event types with no events. */
    @Test
    void emptyChunkIsValidAndDeclaresTypes() throws Exception {
        try (KfrChunk chunk = new KfrChunk(dir.resolve("spool"))) {
            Path merged = dir.resolve("empty.jfr");
            JfrFiles.mergeAtomically(jvm.file(), chunk, merged);
            Path alone = writeAlone(chunk, "empty-alone.jfr");
            for (Path p : List.of(merged, alone)) {
                try (RecordingFile rf = new RecordingFile(p)) {
                    Set<String> types = rf.readEventTypes().stream().map(EventType::getName).collect(Collectors.toSet());
                    assertTrue(types.contains(KfrEventNames.OFF_CPU), p + " declares kfr.OffCpu");
                }
                assertEquals(0, offCpuCount(p));
            }
            assertEquals(0, new JmcReader(merged.toFile()).events(KfrEventNames.OFF_CPU).size());
            assertTrue(new JmcReader(merged.toFile()).events("jdk.ThreadSleep").size() > 0);
            String summary = Processes.runOk(dir, List.of(JvmRecordings.jdkHome(25).resolve("bin/jfr").toString(),
                    "summary", merged.toString())).stdout();
            assertTrue(summary.lines().anyMatch(l -> l.matches("\\s*kfr\\.OffCpu\\s+0\\s+0\\s*")), summary);
            assertTrue(summary.contains("Chunks: 2"), summary);
        }
    }

    @Test
    void unwritableTargetThrowsAndLeavesNoTempFile() throws Exception {
        try (KfrChunk chunk = new TestSamples(tb, jvm.mainTid(), 50).fill(new KfrChunk(dir.resolve("spool")))) {
            Path missingDir = dir.resolve("no/such/dir/out.jfr");
            IOException e1 = assertThrows(IOException.class, () -> JfrFiles.mergeAtomically(jvm.file(), chunk, missingDir));
            assertTrue(e1.getMessage().contains(missingDir.toString()), e1.getMessage());

            // A target that exists as a non-empty directory: everything is written, the rename fails.
            Path asDir = dir.resolve("out.jfr");
            Files.createDirectories(asDir.resolve("child"));
            List<Path> before = list(dir);
            IOException e2 = assertThrows(IOException.class, () -> JfrFiles.mergeAtomically(jvm.file(), chunk, asDir));
            assertTrue(e2.getMessage().contains(asDir.toString()), e2.getMessage());
            assertEquals(before, list(dir), "no temp file left next to the target");

            Path readOnlyFs = Path.of("/proc/self/kfr-out.jfr");
            IOException e3 = assertThrows(IOException.class, () -> JfrFiles.mergeAtomically(jvm.file(), chunk, readOnlyFs));
            assertTrue(e3.getMessage().contains(readOnlyFs.toString()), e3.getMessage());
        }
    }

    @Test
    void failedMergeNeverLeavesAPartialTarget() throws Exception {
        Path target = dir.resolve("recording.jfr");
        byte[] old = "the previous recording".getBytes();
        Files.write(target, old);
        List<Path> before = list(dir);

        // Fails after the JVM recording was copied into the temp file: the kfr chunk cannot be written.
        KfrChunk closed = new TestSamples(tb, jvm.mainTid(), 10).fill(new KfrChunk(dir.resolve("spool")));
        closed.close();
        before = list(dir);
        assertThrows(IOException.class, () -> JfrFiles.mergeAtomically(jvm.file(), closed, target));
        assertArrayEquals(old, Files.readAllBytes(target));
        assertEquals(before, list(dir));

        // Not a JFR file to merge with.
        try (KfrChunk chunk = new KfrChunk(dir.resolve("spool"))) {
            Path notJfr = dir.resolve("not.jfr");
            Files.write(notJfr, new byte[100]);
            before = list(dir);
            IOException e = assertThrows(IOException.class, () -> JfrFiles.mergeAtomically(notJfr, chunk, target));
            assertTrue(e.getMessage().contains("not a JFR file"), e.getMessage());
            assertArrayEquals(old, Files.readAllBytes(target));
            assertEquals(before, list(dir));
        }
    }

    @Test
    void refusesToAppendToAnIncompleteRecording() throws Exception {
        byte[] jvmBytes = Files.readAllBytes(jvm.file());
        Path truncated = Files.write(dir.resolve("truncated.jfr"), java.util.Arrays.copyOf(jvmBytes, jvmBytes.length - 10));
        byte[] inProgress = jvmBytes.clone();
        inProgress[64] = 1; // file state: chunk still being written
        Path unfinished = Files.write(dir.resolve("unfinished.jfr"), inProgress);
        Path target = dir.resolve("out.jfr");
        try (KfrChunk chunk = new TestSamples(tb, jvm.mainTid(), 10).fill(new KfrChunk(dir.resolve("spool")))) {
            IOException e1 = assertThrows(IOException.class, () -> JfrFiles.mergeAtomically(truncated, chunk, target));
            assertTrue(e1.getMessage().contains("truncated"), e1.getMessage());
            IOException e2 = assertThrows(IOException.class, () -> JfrFiles.mergeAtomically(unfinished, chunk, target));
            assertTrue(e2.getMessage().contains("still being written"), e2.getMessage());
        }
        assertTrue(Files.notExists(target));
    }

    /**
     * Chunks of two KfrChunks in one file (e.g. two agent sessions appended): the JDK reader
     * carries constants across chunks by (type id, key), so each chunk's threads must stay its own.
     */
    @Test
    void chunksOfTwoKfrChunksInOneFileKeepTheirOwnConstants() throws Exception {
        Path file = dir.resolve("two-sessions.jfr");
        ThreadRef first = new ThreadRef(111, "first", 1, "first");
        ThreadRef second = new ThreadRef(222, "second", 2, "second");
        try (OutputStream out = Files.newOutputStream(file);
             KfrChunk a = new KfrChunk(dir.resolve("spool"));
             KfrChunk b = new KfrChunk(dir.resolve("spool"))) {
            Files.copy(jvm.file(), out);
            a.addOffCpu(new OffCpuSample(first, tb.startNanos() + 1_000, 10, OffCpuState.S, -1, null, 1, false, TestSamples.FULL));
            b.addOffCpu(new OffCpuSample(second, tb.startNanos() + 2_000, 10, OffCpuState.D, -1, null, 1, false, TestSamples.KERNEL_ONLY));
            a.writeChunk(out, tb);
            b.writeChunk(out, tb);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().equals(KfrEventNames.OFF_CPU)).toList();
        assertEquals(List.of("first", "second"), events.stream().map(e -> e.getThread().getJavaName()).toList());
        assertEquals(List.of(TestSamples.FULL.frames().size(), TestSamples.KERNEL_ONLY.frames().size()),
                events.stream().map(e -> e.getStackTrace().getFrames().size()).toList());
        List<JmcReader.Event> jmc = new JmcReader(file.toFile()).events(KfrEventNames.OFF_CPU);
        assertEquals(Set.of("first", "second"), jmc.stream().map(e -> e.thread().getThreadName()).collect(Collectors.toSet()));
    }

    @Test
    void mergeInPlaceAppendsToTheJvmRecording() throws Exception {
        Path copy = dir.resolve("in-place.jfr");
        Files.copy(jvm.file(), copy);
        try (KfrChunk chunk = new TestSamples(tb, jvm.mainTid(), 100).fill(new KfrChunk(dir.resolve("spool")))) {
            JfrFiles.mergeAtomically(copy, chunk, copy);
        }
        assertEquals(Files.size(jvm.file()), Files.mismatch(jvm.file(), copy));
        assertEquals(100, offCpuCount(copy));
    }

    @Test
    void closeDeletesTheSpoolAndRejectsEvents() throws Exception {
        Path spoolDir = dir.resolve("spool");
        TestSamples samples = new TestSamples(tb, jvm.mainTid(), 10);
        KfrChunk chunk = samples.fill(new KfrChunk(spoolDir));
        assertEquals(1, list(spoolDir).stream().filter(f -> f.toString().endsWith(".spool")).count()); // and its pool journal
        chunk.close();
        chunk.close(); // idempotent
        assertEquals(List.of(), list(spoolDir));
        assertThrows(IllegalStateException.class, () -> chunk.addOffCpu(samples.marker));
        assertThrows(IOException.class, () -> chunk.writeChunk(OutputStream.nullOutputStream(), tb));
    }

    private Path writeAlone(KfrChunk chunk, String name) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        chunk.writeChunk(out, tb);
        Path p = dir.resolve(name);
        Files.write(p, out.toByteArray());
        return p;
    }

    private static long offCpuCount(Path file) throws IOException {
        return RecordingFile.readAllEvents(file).stream().filter(e -> e.getEventType().getName().equals(KfrEventNames.OFF_CPU)).count();
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }
}
