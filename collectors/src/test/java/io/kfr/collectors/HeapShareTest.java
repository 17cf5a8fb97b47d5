package io.kfr.collectors;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class HeapShareTest {
    @Test
    void cachesShrinkWithTheHeapDownToAThirtySecond() {
        assertEquals(1, HeapShare.divisor(Long.MAX_VALUE)); // no -Xmx limit known
        assertEquals(1, HeapShare.divisor(1L << 30));
        assertEquals(2, HeapShare.divisor((1L << 30) - 1));
        assertEquals(2, HeapShare.divisor(512L << 20));
        assertEquals(16, HeapShare.divisor(64L << 20));
        assertEquals(32, HeapShare.divisor(32L << 20));
        assertEquals(32, HeapShare.divisor(8L << 20));
    }
}
