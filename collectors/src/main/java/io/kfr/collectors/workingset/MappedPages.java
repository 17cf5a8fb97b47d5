package io.kfr.collectors.workingset;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The pages of this process's file mappings that its page tables hold (/proc/self/maps and
 * /proc/self/pagemap): what it touched of libjvm, the CDS or AOT archive and the modules image
 * before an agent could record anything. A page fault maps a few neighbours too (fault-around):
 * those were in the page cache already, read by the same request.
 */
public final class MappedPages {
    private static final long PRESENT = 1L << 63;

    private MappedPages() {
    }

    /** Path -> pages present, per regular file mapped (sorted, merged). */
    public static Map<String, List<PageRange>> ofThisProcess() throws IOException {
        Map<String, List<PageRange>> out = new HashMap<>();
        List<String> maps = Files.readAllLines(Path.of("/proc/self/maps"));
        try (FileChannel pagemap = FileChannel.open(Path.of("/proc/self/pagemap"), StandardOpenOption.READ)) {
            for (String line : maps) {
                // start-end perms offset dev inode path
                String[] f = line.trim().split("\\s+", 6);
                if (f.length < 6 || !f[5].startsWith("/") || "0".equals(f[4]) || f[5].endsWith(" (deleted)")) {
                    continue;
                }
                String[] range = f[0].split("-");
                long start = Long.parseUnsignedLong(range[0], 16);
                long end = Long.parseUnsignedLong(range[1], 16);
                long offsetPage = Long.parseUnsignedLong(f[2], 16) / PageRange.PAGE_BYTES;
                List<PageRange> present = present(pagemap, start, end, offsetPage);
                if (!present.isEmpty()) {
                    out.computeIfAbsent(f[5], k -> new ArrayList<>()).addAll(present);
                }
            }
        }
        out.replaceAll((k, v) -> PageRanges.merge(v, 0));
        return out;
    }

    private static List<PageRange> present(FileChannel pagemap, long start, long end, long offsetPage) throws IOException {
        List<PageRange> out = new ArrayList<>();
        long pages = (end - start) / PageRange.PAGE_BYTES;
        ByteBuffer b = ByteBuffer.allocate(8 * 4096).order(ByteOrder.LITTLE_ENDIAN);
        long runStart = -1;
        for (long done = 0; done < pages; ) {
            b.clear();
            b.limit((int) Math.min(b.capacity(), (pages - done) * 8));
            int n = pagemap.read(b, (start / PageRange.PAGE_BYTES + done) * 8);
            if (n <= 0) {
                break;
            }
            for (int i = 0; i + 8 <= n; i += 8, done++) {
                boolean present = (b.getLong(i) & PRESENT) != 0;
                if (present && runStart < 0) {
                    runStart = done;
                } else if (!present && runStart >= 0) {
                    out.add(new PageRange(offsetPage + runStart, done - runStart));
                    runStart = -1;
                }
            }
        }
        if (runStart >= 0) {
            out.add(new PageRange(offsetPage + runStart, pages - runStart));
        }
        return out;
    }
}
