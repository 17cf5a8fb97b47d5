package io.kfr.collectors.workingset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Real files, real page cache: a file is made cold with POSIX_FADV_DONTNEED and prefetched back. */
class PrefetchTest {
    private static final int PAGES = 2048; // 8 MB

    @TempDir
    static Path dir;

    @BeforeAll
    static void library() {
        assertNull(PrefetchNative.load());
    }

    static FileSet recorded(Path f, List<PageRange> ranges) throws IOException {
        FileIdentity id = FileIdentity.of(f);
        return new FileSet(f.toString(), id.size(), id.mtimeNanos(), id.inode(), id.device(), ranges);
    }

    static Path file(String name, int pages) throws IOException {
        Path f = dir.resolve(name);
        byte[] b = new byte[pages * PageRange.PAGE_BYTES];
        new Random(name.hashCode()).nextBytes(b);
        Files.write(f, b);
        try (var ch = java.nio.channels.FileChannel.open(f, java.nio.file.StandardOpenOption.WRITE)) {
            ch.force(true); // dirty pages would not be dropped
        }
        return f;
    }

    static long resident(Path f, long offset, long length) {
        return PrefetchNative.resident(f.toString(), new long[] {offset, length});
    }

    @ParameterizedTest
    @EnumSource(PrefetchMethod.class)
    void eachMethodBringsExactlyTheRecordedRangesIn(PrefetchMethod method) throws Exception {
        Path f = file("data-" + method, PAGES);
        // pages 0-255 and 1024-1279; the gap is far above the merge gap, so it stays out
        FileSet set = recorded(f, List.of(new PageRange(0, 256), new PageRange(1024, 256)));
        assertEquals(0, PrefetchNative.evict(f.toString()));
        assertEquals(0, resident(f, 0, (long) PAGES * 4096), "evicted");

        PrefetchResult r = Prefetcher.run(PrefetchPlan.of(new WorkingSet(0, List.of(set)), 0), method);
        assertTrue(r.failures().isEmpty(), r.failures().toString());
        assertEquals(512L * 4096, r.bytes());
        long deadline = System.nanoTime() + 5_000_000_000L; // fadvise and readahead return before the reads end
        while (resident(f, 0, 256L * 4096) + resident(f, 1024L * 4096, 256L * 4096) < 512 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(256, resident(f, 0, 256L * 4096));
        assertEquals(256, resident(f, 1024L * 4096, 256L * 4096));
        if (method != PrefetchMethod.POPULATE) {
            // fadvise, readahead and pread read what they are asked; POPULATE faults the pages in, and the
            // fault path's readahead runs on for up to the device's read_ahead_kb past a range
            assertEquals(0, resident(f, 640L * 4096, 256L * 4096), "the gap between the ranges stays cold");
            // where the kernel's readahead would go on after a read of a range (up to read_ahead_kb)
            assertEquals(0, resident(f, 256L * 4096, 64L * 4096), "nothing read past the first range");
            assertEquals(0, resident(f, 1280L * 4096, 64L * 4096), "nothing read past the second range");
        }
    }

    /** The kernel cuts one fadvise or readahead call to the device's readahead window and drops the rest. */
    @ParameterizedTest
    @EnumSource(value = PrefetchMethod.class, names = {"FADVISE", "READAHEAD"})
    void aRangeLongerThanTheReadaheadWindowIsReadWhole(PrefetchMethod method) throws Exception {
        Path probe = file("window-probe-" + method, 1);
        long window = ReadaheadWindow.bytes(FileIdentity.of(probe).device());
        int pages = (int) Math.min(3 * window / 4096, 16384); // 3 windows, at most 64 MB
        Path f = file("long-" + method, pages);
        FileSet set = recorded(f, List.of(new PageRange(0, pages)));
        assertEquals(0, PrefetchNative.evict(f.toString()));
        PrefetchResult r = Prefetcher.run(PrefetchPlan.of(new WorkingSet(0, List.of(set)), 0), method);
        assertTrue(r.failures().isEmpty(), r.failures().toString());
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (resident(f, 0, (long) pages * 4096) < pages && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(pages, resident(f, 0, (long) pages * 4096), "window " + window + " bytes");
    }

    @Test
    void aChangedFileIsSkippedNotPrefetched() throws Exception {
        Path same = file("same", 64);
        Path touched = file("touched", 64);
        Path grown = file("grown", 64);
        Path gone = file("gone", 64);
        WorkingSet set = new WorkingSet(0, List.of(recorded(same, List.of(new PageRange(0, 64))),
                recorded(touched, List.of(new PageRange(0, 64))), recorded(grown, List.of(new PageRange(0, 64))),
                recorded(gone, List.of(new PageRange(0, 64)))));
        Files.setLastModifiedTime(touched, FileTime.fromMillis(Files.getLastModifiedTime(touched).toMillis() - 60_000));
        Files.write(grown, new byte[4096], java.nio.file.StandardOpenOption.APPEND);
        Files.delete(gone);

        PrefetchPlan plan = PrefetchPlan.of(set, 0);
        assertEquals(List.of(same.toString()), plan.requests().stream().map(PrefetchPlan.Request::path).toList());
        assertEquals(3, plan.skipped().size(), plan.skipped().toString());
        assertTrue(plan.skipped().stream().anyMatch(s -> s.startsWith(touched + ": modified")), plan.skipped().toString());
        assertTrue(plan.skipped().stream().anyMatch(s -> s.startsWith(grown + ": size changed")), plan.skipped().toString());
        assertTrue(plan.skipped().stream().anyMatch(s -> s.startsWith(gone + ": gone")), plan.skipped().toString());
    }

    @Test
    void theCapCutsThePlanAndRangesStopAtTheFileEnd() throws Exception {
        Path a = file("cap-a", 100);
        Path b = file("cap-b", 100);
        // b's recorded range runs past its end (the last page of a file is recorded whole)
        WorkingSet set = new WorkingSet(0, List.of(recorded(a, List.of(new PageRange(0, 100))),
                recorded(b, List.of(new PageRange(50, 60)))));
        PrefetchPlan all = PrefetchPlan.of(set, 0);
        assertEquals(150L * 4096, all.bytes());
        PrefetchPlan capped = PrefetchPlan.of(set, 120L * 4096);
        assertEquals(120L * 4096, capped.bytes());
        long perRequest = capped.requests().stream().mapToLong(PrefetchPlan.Request::bytes).sum();
        assertEquals(capped.bytes(), perRequest);
        assertTrue(PrefetchPlan.of(set, 10L << 40).capBytes() <= PrefetchPlan.MAX_CAP_BYTES);
    }

    @Test
    void nearRangesAreOneRequestAndTheDefaultPlanHasEveryFile() throws Exception {
        Path a = file("near-a", 100);
        Path b = file("near-b", 10);
        // 10 pages apart: read as one request of 30 pages, more than the 20 recorded
        WorkingSet set = new WorkingSet(0, List.of(recorded(a, List.of(new PageRange(0, 10), new PageRange(20, 10))),
                recorded(b, List.of(new PageRange(0, 5)))));
        PrefetchPlan plan = PrefetchPlan.of(set, 0);
        assertEquals(2, plan.requests().size());
        PrefetchPlan.Request ra = plan.requests().stream().filter(r -> r.path().equals(a.toString())).findFirst().orElseThrow();
        assertEquals(List.of(0L, 30L * 4096), java.util.Arrays.stream(ra.ranges()).boxed().toList());
        assertEquals(35L * 4096, plan.bytes());
    }
}
