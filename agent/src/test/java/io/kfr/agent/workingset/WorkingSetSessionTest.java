package io.kfr.agent.workingset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kfr.collectors.workingset.FileSet;
import io.kfr.collectors.workingset.PrefetchNative;
import io.kfr.collectors.workingset.WorkingSet;
import io.kfr.collectors.workingset.WorkingSetFormat;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** workingset=<file> in this JVM: a first start records, the next one prefetches what was recorded. */
class WorkingSetSessionTest {
    @TempDir
    Path dir;

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

        WorkingSetSession first = new WorkingSetSession(ws, 60_000_000_000L, null);
        first.start();
        Thread.sleep(1500); // the programs load on the session's thread
        try (FileChannel ch = FileChannel.open(data, StandardOpenOption.READ)) {
            ch.read(ByteBuffer.allocate(100 * 4096), 0);
        }
        first.save();
        assertTrue(first.awaitSaved(60, TimeUnit.SECONDS));
        assertNull(first.failure());
        WorkingSet set = WorkingSetFormat.read(ws);
        FileSet f = find(set, data.toString()).orElseThrow(() -> new AssertionError(data + " not in " + set.files()));
        assertTrue(f.pages() >= 100, "pages " + f.pages());
        // touched before any recording: the JVM itself, from the page tables
        assertTrue(set.files().stream().anyMatch(x -> x.path().endsWith("/libjvm.so") && x.pages() > 100), "libjvm.so pages");

        assertEquals(0, PrefetchNative.evict(data.toString()));
        WorkingSetSession second = new WorkingSetSession(ws, 3_000_000_000L, null);
        second.start();
        assertTrue(second.awaitSaved(60, TimeUnit.SECONDS));
        assertNull(second.failure());
        assertNotNull(second.prefetched());
        assertTrue(second.prefetched().bytes() >= 100L * 4096, second.prefetched().summary());
        assertEquals(f.pages(), PrefetchNative.resident(data.toString(), new long[] {0, f.pages() * 4096}), "prefetched back in");
        // the second start never read the file itself: the prefetch thread's reads are not the program's
        assertTrue(find(WorkingSetFormat.read(ws), data.toString()).isEmpty(), "the prefetch was recorded as the program's reads");
    }
}
