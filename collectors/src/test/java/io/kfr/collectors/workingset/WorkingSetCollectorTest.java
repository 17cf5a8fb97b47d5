package io.kfr.collectors.workingset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kfr.collectors.CollectorStatistics;
import io.kfr.collectors.threads.ThreadDirectory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** workingset=<file> in this JVM: a first start records, the next one prefetches what was recorded. */
class WorkingSetCollectorTest {
    @TempDir
    Path dir;

    static final class Sink implements WorkingSetListener {
        final List<PageCacheMiss> misses = new CopyOnWriteArrayList<>();
        final List<RecordedFile> files = new CopyOnWriteArrayList<>();
        final AtomicReference<PrefetchResult> prefetched = new AtomicReference<>();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final CountDownLatch saved = new CountDownLatch(1);
        volatile CollectorStatistics last;

        @Override
        public void onMiss(PageCacheMiss miss) {
            misses.add(miss);
        }

        @Override
        public void onFile(RecordedFile file, long epochNanos) {
            files.add(file);
        }

        @Override
        public void onSaved(WorkingSet set) {
            saved.countDown();
        }

        @Override
        public void onPrefetched(PrefetchResult result) {
            prefetched.set(result);
        }

        @Override
        public void onStatistics(CollectorStatistics statistics) {
            last = statistics;
        }

        @Override
        public void onFailure(Throwable t) {
            failure.set(t);
            saved.countDown();
        }
    }

    static Optional<FileSet> find(WorkingSet s, String path) {
        return s.files().stream().filter(f -> f.path().equals(path)).findFirst();
    }

    @Test
    void recordsThenPrefetchesAndLeavesThePrefetchOutOfTheNextRecording() throws Exception {
        assertNull(PrefetchNative.load());
        Path data = dir.resolve("config.bin");
        byte[] b = new byte[300 * 4096];
        new Random(1).nextBytes(b);
        Files.write(data, b);
        try (FileChannel ch = FileChannel.open(data, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        assertEquals(0, PrefetchNative.evict(data.toString()));
        Path ws = dir.resolve("app.ws");
        ThreadDirectory threads = new ThreadDirectory();

        Sink first = new Sink();
        WorkingSetCollector.Started s1 = WorkingSetCollector.start(ws, 60_000_000_000L, threads, first);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (first.last == null && System.nanoTime() < deadline) {
            Thread.sleep(50); // the first statistics come once the programs are attached
        }
        assertNotNull(first.last, "no statistics: the collector did not start (" + first.failure.get() + ")");
        try (FileChannel ch = FileChannel.open(data, StandardOpenOption.READ)) {
            ch.read(ByteBuffer.allocate(100 * 4096), 0);
        }
        s1.collector().save();
        assertTrue(first.saved.await(30, TimeUnit.SECONDS));
        s1.running().close();
        assertNull(first.failure.get());
        WorkingSet set = WorkingSetFormat.read(ws);
        FileSet f = find(set, data.toString()).orElseThrow(() -> new AssertionError(data + " not in " + set.files()));
        assertTrue(f.pages() >= 100, "pages " + f.pages());
        // touched before the recording began: the JVM itself, from the page tables
        assertTrue(set.files().stream().anyMatch(x -> x.path().endsWith("/libjvm.so") && x.pages() > 100), "libjvm.so pages");
        // this thread's read missed: an event names the file, the thread and a stack
        int me = io.kfr.collectors.Tids.current();
        assertTrue(first.misses.stream().anyMatch(m -> m.file().equals(data.toString()) && m.thread().tid() == me
                && !m.stack().frames().isEmpty()), "a miss of " + data + " by this thread: " + first.misses.size() + " misses");
        RecordedFile rf = first.files.stream().filter(x -> x.set().path().equals(data.toString())).findFirst().orElseThrow();
        assertTrue(rf.missedPages() >= 100, "missed " + rf.missedPages());

        assertEquals(0, PrefetchNative.evict(data.toString()));
        Sink second = new Sink();
        WorkingSetCollector.Started s2 = WorkingSetCollector.start(ws, 3_000_000_000L, threads, second);
        assertTrue(second.saved.await(60, TimeUnit.SECONDS));
        s2.running().close();
        assertNull(second.failure.get());
        assertNotNull(second.prefetched.get());
        assertTrue(second.prefetched.get().bytes() >= 100L * 4096, second.prefetched.get().summary());
        long[] ranges = f.ranges().stream().flatMapToLong(r -> java.util.stream.LongStream.of(r.offsetBytes(), r.lengthBytes())).toArray();
        // evicted before this start, read by nobody but the prefetch (a page or two may stay out: readahead
        // of the first start's read still in flight when the file was evicted)
        long resident = PrefetchNative.resident(data.toString(), ranges);
        assertTrue(resident >= f.pages() * 95 / 100, "prefetched back in: " + resident + " of " + f.ranges());
        // this start never read the file itself: the prefetch thread's reads are not the program's
        assertTrue(find(WorkingSetFormat.read(ws), data.toString()).isEmpty(), "the prefetch was recorded as the program's reads");
        assertTrue(second.misses.stream().noneMatch(m -> m.file().equals(data.toString())), "the prefetch's reads became misses");
    }
}
