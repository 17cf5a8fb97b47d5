package io.kfr.collectors.workingset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkingSetFormatTest {
    @TempDir
    Path dir;

    static WorkingSet sample() {
        List<PageRange> many = new ArrayList<>();
        for (long p = 0; p < 20_000; p += 3) {
            many.add(new PageRange(p, 2));
        }
        return new WorkingSet(1_700_000_000_123L, List.of(
                new FileSet("/usr/lib/jvm/x/lib/modules", 140_000_000L, 1_699_000_000_987_654_321L, 1234567L, 0xfe00L, many),
                new FileSet("/opt/app/lib/\u00e9t\u00e9.jar", 4096, 5, 42, 2049, List.of(new PageRange(0, 1)))));
    }

    @Test
    void roundTripsExactly() throws IOException {
        Path f = dir.resolve("app.ws");
        WorkingSetFormat.write(sample(), f);
        assertEquals(sample(), WorkingSetFormat.read(f));
    }

    @Test
    void leavesOutWhatTheProgramWroteItself() {
        WorkingSet s = sample(); // mtimes 1_699_000_000_987_654_321 and 5
        assertEquals(List.of("/opt/app/lib/\u00e9t\u00e9.jar"),
                s.withoutOwnOutput(1_699_000_000_987_654_321L, 42).files().stream().map(FileSet::path).toList());
        assertEquals(s, s.withoutOwnOutput(1_699_000_000_987_654_322L, 42));
        assertEquals(List.of(), s.withoutOwnOutput(5, 42).files());
        // the JVM's perf data file is named after its pid; another JVM's is not its output
        List<PageRange> one = List.of(new PageRange(0, 1));
        WorkingSet perf = new WorkingSet(1, List.of(new FileSet("/tmp/hsperfdata_root/4242", 32768, 5, 1, 1, one),
                new FileSet("/tmp/hsperfdata_root/14242", 32768, 5, 2, 1, one), new FileSet("/srv/4242", 4096, 5, 3, 1, one)));
        assertEquals(List.of("/tmp/hsperfdata_root/14242", "/srv/4242"),
                perf.withoutOwnOutput(10, 4242).files().stream().map(FileSet::path).toList());
    }

    @Test
    void isSmall() throws IOException {
        Path f = dir.resolve("app.ws");
        WorkingSetFormat.write(sample(), f);
        // 6667 ranges: two one-byte varints each, plus the headers
        assertTrue(Files.size(f) < 14_000, "size " + Files.size(f));
    }

    @Test
    void replacesAtomicallyAndLeavesNoTemporaryFile() throws IOException {
        Path f = dir.resolve("app.ws");
        WorkingSetFormat.write(sample(), f);
        WorkingSet second = new WorkingSet(7, List.of());
        WorkingSetFormat.write(second, f);
        assertEquals(second, WorkingSetFormat.read(f));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(f), s.toList());
        }
    }

    @Test
    void refusesDamagedTruncatedForeignAndNewerFiles() throws IOException {
        Path f = dir.resolve("app.ws");
        WorkingSetFormat.write(sample(), f);
        byte[] good = Files.readAllBytes(f);

        byte[] flipped = good.clone();
        flipped[good.length / 2] ^= 0x10;
        Files.write(f, flipped);
        assertTrue(assertThrows(IOException.class, () -> WorkingSetFormat.read(f)).getMessage().contains("checksum"));

        Files.write(f, java.util.Arrays.copyOf(good, good.length - 5));
        assertTrue(assertThrows(IOException.class, () -> WorkingSetFormat.read(f)).getMessage().contains("truncated"));

        Files.writeString(f, "#!/bin/sh\necho not this\n");
        assertTrue(assertThrows(IOException.class, () -> WorkingSetFormat.read(f)).getMessage().contains("not a kfr working-set file"));

        byte[] newer = good.clone();
        newer[WorkingSetFormat.MAGIC.length + 1] = 2;
        Files.write(f, newer);
        assertTrue(assertThrows(IOException.class, () -> WorkingSetFormat.read(f)).getMessage().contains("version 2"));
    }

    @Test
    void refusesUnsortedRanges() {
        WorkingSet bad = new WorkingSet(0, List.of(new FileSet("/x", 1, 1, 1, 1, List.of(new PageRange(10, 5), new PageRange(12, 1)))));
        assertThrows(IllegalArgumentException.class, () -> WorkingSetFormat.write(bad, dir.resolve("bad.ws")));
    }
}
