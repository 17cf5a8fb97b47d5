package io.kfr.collectors.workingset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The BPF programs on this JVM: a file made cold and read here is recorded, one read by another process is not. */
class WorkingSetRecorderTest {
    @TempDir
    Path dir;

    static Path cold(Path f, int pages) throws Exception {
        byte[] b = new byte[pages * 4096];
        new Random(pages).nextBytes(b);
        Files.write(f, b);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        assertEquals(0, PrefetchNative.evict(f.toString()));
        return f;
    }

    static Optional<RecordedFile> find(List<RecordedFile> files, Path f) {
        return files.stream().filter(r -> r.set().path().equals(f.toString())).findFirst();
    }

    @Test
    void recordsThePagesThisProcessReadsAndNotAnothers() throws Exception {
        assertNull(PrefetchNative.load());
        Path mine = cold(dir.resolve("mine.bin"), 1024);
        Path theirs = cold(dir.resolve("theirs.bin"), 256);
        AtomicLong missedPages = new AtomicLong();
        try (WorkingSetRecorder r = WorkingSetRecorder.start(ProcessHandle.current().pid())) {
            // pages 0-255 and 512-767 of mine, in two reads
            try (FileChannel ch = FileChannel.open(mine, StandardOpenOption.READ)) {
                ch.read(ByteBuffer.allocate(256 * 4096), 0);
                ch.read(ByteBuffer.allocate(256 * 4096), 512L * 4096);
            }
            Process cat = new ProcessBuilder("cat", theirs.toString()).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            assertEquals(0, cat.waitFor());
            while (r.poll(100, new WorkingSetRecords.Sink() {
                @Override
                public void file(WorkingSetRecords.FileSeen f) {
                }

                @Override
                public void miss(WorkingSetRecords.Miss m) {
                    missedPages.addAndGet(m.pages());
                }

                @Override
                public void waited(WorkingSetRecords.Wait w) {
                }
            }) > 0) {
                // drain
            }
            List<RecordedFile> files = r.files();
            RecordedFile f = find(files, mine).orElseThrow(() -> new AssertionError("not recorded: " + mine + " in " + files));
            // read() records the pages asked for; readahead may have added pages beyond each read
            assertTrue(f.set().ranges().get(0).first() == 0, f.set().ranges().toString());
            List<PageRange> asked = List.of(new PageRange(0, 256), new PageRange(512, 256));
            for (PageRange a : asked) {
                assertTrue(f.set().ranges().stream().anyMatch(s -> s.first() <= a.first() && s.end() >= a.end()),
                        a + " not within " + f.set().ranges());
            }
            assertTrue(f.missedPages() >= 512, "missed " + f.missedPages());
            assertTrue(missedPages.get() >= 512, "miss records for " + missedPages.get() + " pages");
            assertTrue(find(files, theirs).isEmpty(), "another process's file was recorded");
            long[] c = r.counters();
            assertEquals(0, c[WorkingSetRecords.CNT_RB_FULL]);
            assertEquals(0, c[WorkingSetRecords.CNT_CHUNK_FULL]);

            WorkingSet set = r.workingSet();
            Path saved = dir.resolve("set.ws");
            WorkingSetFormat.write(set, saved);
            assertEquals(set, WorkingSetFormat.read(saved));
        }
    }
}
