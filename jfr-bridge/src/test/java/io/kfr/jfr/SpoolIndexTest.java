package io.kfr.jfr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.function.IntToLongFunction;

import org.junit.jupiter.api.Test;

/** The index's sort against a reference: by end time, equal ends in spool (offset) order. */
class SpoolIndexTest {
    private record Entry(long end, long offset, int length) {
    }

    @Test
    void sortsByEndThenSpoolOrder() {
        Random r = new Random(42);
        for (int n : new int[] {0, 1, 2, 3, 23, 24, 25, 100, 1000, 50_000}) {
            check(n, i -> r.nextLong(), false);                        // random, full long range
            check(n, i -> r.nextInt(5), false);                        // many equal ends
            check(n, i -> 7, false);                                   // all equal
            check(n, i -> i, false);                                   // sorted
            check(n, i -> -i, false);                                  // reversed
            check(n, i -> i < n / 2 ? i : n - i, false);               // organ pipe
            check(n, i -> i + r.nextInt(50) - (i % 97 == 0 ? 5_000 : 0), false); // nearly sorted, outliers
            check(n, i -> Long.MIN_VALUE + r.nextInt(3) * Long.MAX_VALUE, false); // extremes
        }
    }

    @Test
    void heapsortFallbackSortsTheSame() {
        Random r = new Random(7);
        for (int n : new int[] {0, 1, 2, 5, 31, 1000, 10_000}) {
            check(n, i -> r.nextLong(), true);
            check(n, i -> r.nextInt(4), true);
            check(n, i -> -i, true);
        }
    }

    /** Median-of-three killers and other adversarial shapes still finish quickly (introsort). */
    @Test
    void adversarialInputStaysFast() {
        int n = 1 << 20;
        long t0 = System.nanoTime();
        check(n, i -> (i % 2 == 0) ? i : n - i, false);
        check(n, i -> i % 1024, false);
        assertTrue(System.nanoTime() - t0 < 20_000_000_000L);
    }

    @Test
    void rejectsWhatItCannotHold() {
        SpoolIndex index = new SpoolIndex(1);
        assertThrows(IllegalArgumentException.class, () -> index.add(0, 0, SpoolIndex.MAX_RECORD_BYTES + 1));
        assertThrows(IllegalArgumentException.class, () -> index.add(0, SpoolIndex.MAX_OFFSET + 1, 10));
        assertThrows(IllegalArgumentException.class, () -> index.add(0, 0, 0));
        index.add(5, SpoolIndex.MAX_OFFSET, SpoolIndex.MAX_RECORD_BYTES);
        assertEquals(SpoolIndex.MAX_OFFSET, index.offset(0));
        assertEquals(SpoolIndex.MAX_RECORD_BYTES, index.length(0));
        assertThrows(IllegalStateException.class, () -> index.add(0, 0, 1));
    }

    private static void check(int n, IntToLongFunction endOf, boolean heapsort) {
        Random r = new Random(n);
        SpoolIndex index = new SpoolIndex(n);
        List<Entry> expected = new ArrayList<>(n);
        long offset = 0;
        for (int i = 0; i < n; i++) {
            int length = 1 + r.nextInt(SpoolIndex.MAX_RECORD_BYTES);
            Entry e = new Entry(endOf.applyAsLong(i), offset, length);
            expected.add(e);
            index.add(e.end(), e.offset(), e.length());
            offset += length;
        }
        expected.sort(Comparator.comparingLong(Entry::end).thenComparingLong(Entry::offset));
        if (heapsort) {
            index.heapsortForTest();
        } else {
            index.sort();
        }
        assertEquals(n, index.size());
        assertTrue(index.sorted());
        for (int i = 0; i < n; i++) {
            Entry e = expected.get(i);
            if (e.end() != index.end(i) || e.offset() != index.offset(i) || e.length() != index.length(i)) {
                assertEquals(e, new Entry(index.end(i), index.offset(i), index.length(i)), "entry " + i + " of " + n);
            }
        }
    }
}
