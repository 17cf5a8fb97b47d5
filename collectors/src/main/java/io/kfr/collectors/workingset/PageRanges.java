package io.kfr.collectors.workingset;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Sorting and merging page ranges. */
public final class PageRanges {
    private PageRanges() {
    }

    /**
     * Sorted, with ranges that overlap, touch, or lie at most {@code gapPages} apart merged into one
     * (reading a few pages nobody asked for costs less than another request).
     */
    public static List<PageRange> merge(List<PageRange> ranges, long gapPages) {
        List<PageRange> sorted = new ArrayList<>(ranges);
        sorted.sort(Comparator.comparingLong(PageRange::first));
        List<PageRange> out = new ArrayList<>();
        long first = -1;
        long end = -1;
        for (PageRange r : sorted) {
            if (first >= 0 && r.first() <= end + gapPages) {
                end = Math.max(end, r.end());
                continue;
            }
            if (first >= 0) {
                out.add(new PageRange(first, end - first));
            }
            first = r.first();
            end = r.end();
        }
        if (first >= 0) {
            out.add(new PageRange(first, end - first));
        }
        return out;
    }

    /** The runs of set bits of 64-page bitmaps: chunk c's bit i is page c * 64 + i. */
    public static List<PageRange> fromBitmaps(long[] chunks, long[] bitmaps) {
        List<PageRange> pieces = new ArrayList<>();
        for (int k = 0; k < chunks.length; k++) {
            long bits = bitmaps[k];
            while (bits != 0) {
                int lo = Long.numberOfTrailingZeros(bits);
                long shifted = ~(bits >>> lo);
                int len = shifted == 0 ? 64 - lo : Long.numberOfTrailingZeros(shifted);
                pieces.add(new PageRange(chunks[k] * 64 + lo, len));
                bits = len + lo >= 64 ? 0 : bits & (-1L << (lo + len));
            }
        }
        return merge(pieces, 0);
    }

    public static long pages(List<PageRange> ranges) {
        long n = 0;
        for (PageRange r : ranges) {
            n += r.count();
        }
        return n;
    }
}
