package io.kfr.collectors.workingset;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class PageRangesTest {
    @Test
    void mergesOverlappingTouchingAndNearRangesInOrder() {
        List<PageRange> in = List.of(new PageRange(100, 10), new PageRange(0, 4), new PageRange(4, 2),
                new PageRange(105, 20), new PageRange(140, 1), new PageRange(200, 1));
        assertEquals(List.of(new PageRange(0, 6), new PageRange(100, 25), new PageRange(140, 1), new PageRange(200, 1)),
                PageRanges.merge(in, 0));
        assertEquals(List.of(new PageRange(0, 6), new PageRange(100, 41), new PageRange(200, 1)), PageRanges.merge(in, 15));
    }

    @Test
    void bitmapsBecomeRuns() {
        long[] chunks = {0, 1, 3};
        long[] bits = {0b1011L | (1L << 63), 1L | (0b11L << 62), -1L};
        // chunk 0: pages 0-1, 3, 63; chunk 1: 64, 126-127; chunk 3: 192-255
        assertEquals(List.of(new PageRange(0, 2), new PageRange(3, 1), new PageRange(63, 2), new PageRange(126, 2),
                new PageRange(192, 64)), PageRanges.fromBitmaps(chunks, bits));
        assertEquals(71, PageRanges.pages(PageRanges.fromBitmaps(chunks, bits)));
    }
}
