package io.kfr.collectors.pt;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The address range of the JVM's JIT code heap, for the address filter of {@code pt.filter=java}:
 * the anonymous executable mappings of this process, and the anonymous reservation they sit in
 * (HotSpot reserves the whole code cache at start and commits it as it grows, so the filter set
 * once covers code compiled later).
 */
final class PtPerfCodeHeap {
    final long start;
    final long end;

    private PtPerfCodeHeap(long start, long end) {
        this.start = start;
        this.end = end;
    }

    /** The code heap of this process, or null when /proc/self/maps shows no anonymous executable mapping. */
    static PtPerfCodeHeap ofThisProcess() throws IOException {
        return of(Files.readAllLines(Path.of("/proc/self/maps")));
    }

    /** From the lines of a maps file. */
    static PtPerfCodeHeap of(List<String> maps) {
        long[] range = {-1, -1}; // start, end of the runs with code
        long runStart = -1;
        long runEnd = -1;
        boolean runHasCode = false;
        for (String line : maps) {
            String[] f = line.trim().split("\\s+", 6);
            if (f.length < 5) {
                continue;
            }
            int dash = f[0].indexOf('-');
            long s = Long.parseUnsignedLong(f[0].substring(0, dash), 16);
            long e = Long.parseUnsignedLong(f[0].substring(dash + 1), 16);
            boolean anonymous = f.length < 6 || f[5].isEmpty();
            if (!anonymous || s != runEnd) { // the run of adjacent anonymous mappings ends here
                take(range, runStart, runEnd, runHasCode);
                runStart = anonymous ? s : -1;
                runEnd = anonymous ? e : -1;
                runHasCode = false;
            }
            if (anonymous) {
                runEnd = e;
                runHasCode |= f[1].indexOf('x') >= 0;
            }
        }
        take(range, runStart, runEnd, runHasCode);
        return range[0] < 0 ? null : new PtPerfCodeHeap(range[0], range[1]);
    }

    private static void take(long[] range, long start, long end, boolean hasCode) {
        if (start >= 0 && hasCode) {
            range[0] = range[0] < 0 ? start : Math.min(range[0], start);
            range[1] = Math.max(range[1], end);
        }
    }

    /** perf's address-filter syntax for this range (no file: the code heap is anonymous memory). */
    String filter() {
        return String.format("filter 0x%x/0x%x", start, end - start);
    }
}
