package io.kfr.jfr;

import io.kfr.collectors.natives.OffHeap;

import java.nio.ByteBuffer;

/**
 * When each spooled record ends and where it is in the spool, sortable by end time:
 * {@value #BYTES_PER_EVENT} bytes per record (a long end time, a long location), no objects per
 * record, off the application's heap ({@link OffHeap}: 2 million events are 32 MB, which a JVM with a
 * small heap cannot spare at exit); {@link #close} gives them back. Sorting orders records by (end, spool offset), so records with equal ends keep spool
 * order; the key is unique, so the order does not depend on the sort algorithm (an in-place
 * introsort: no extra memory, O(n log n) at worst, close to linear on nearly sorted input).
 */
final class SpoolIndex implements AutoCloseable {
    static final int BYTES_PER_EVENT = 16;
    /** Records are short (an off-CPU record at most 53 bytes), so a location packs offset and length. */
    static final int MAX_RECORD_BYTES = 255;
    static final long MAX_OFFSET = (1L << 55) - 1;

    private static final int INSERTION_SORT_BELOW = 24;

    private ByteBuffer ends; // long per record
    /** offset &lt;&lt; 8 | length: ordered as the offsets are; a long per record. */
    private ByteBuffer locations;
    private final int capacity;
    private int size;

    SpoolIndex(int capacity) {
        this.capacity = capacity;
        ends = OffHeap.allocate(8L * capacity);
        locations = OffHeap.allocate(8L * capacity);
    }

    @Override
    public void close() {
        OffHeap.free(ends);
        OffHeap.free(locations);
        ends = null;
        locations = null;
    }

    private long e(int i) {
        return ends.getLong(8 * i);
    }

    private long l(int i) {
        return locations.getLong(8 * i);
    }

    private void set(int i, long end, long location) {
        ends.putLong(8 * i, end);
        locations.putLong(8 * i, location);
    }

    int size() {
        return size;
    }

    int capacity() {
        return capacity;
    }

    /** @throws IllegalStateException when full */
    void add(long endNanos, long offset, int length) {
        if (size == capacity) {
            throw new IllegalStateException("SpoolIndex is full (" + size + ")");
        }
        if (offset < 0 || offset > MAX_OFFSET || length <= 0 || length > MAX_RECORD_BYTES) {
            throw new IllegalArgumentException("record at " + offset + " of " + length + " bytes");
        }
        set(size, endNanos, offset << 8 | length);
        size++;
    }

    long end(int i) {
        return e(i);
    }

    long offset(int i) {
        return l(i) >>> 8;
    }

    int length(int i) {
        return (int) (l(i) & 0xFF);
    }

    /** Orders the records by end time, equal ends by spool offset. */
    void sort() {
        if (!sorted()) {
            introsort(0, size - 1, 2 * (32 - Integer.numberOfLeadingZeros(size)));
        }
    }

    boolean sorted() {
        for (int i = 1; i < size; i++) {
            if (less(i, i - 1)) {
                return false;
            }
        }
        return true;
    }

    private boolean less(int i, int j) {
        long ei = e(i);
        long ej = e(j);
        return ei < ej || ei == ej && l(i) < l(j);
    }

    private static boolean less(long endA, long locationA, long endB, long locationB) {
        return endA < endB || endA == endB && locationA < locationB;
    }

    /** Quicksort (Hoare partition, median-of-three pivot) of [lo, hi]; heapsort when too deep. */
    private void introsort(int lo, int hi, int depth) {
        while (hi - lo >= INSERTION_SORT_BELOW) {
            if (depth-- == 0) {
                heapsort(lo, hi);
                return;
            }
            int mid = (lo + hi) >>> 1;
            if (less(mid, lo)) {
                swap(mid, lo);
            }
            if (less(hi, mid)) {
                swap(hi, mid);
                if (less(mid, lo)) {
                    swap(mid, lo);
                }
            }
            long pivotEnd = e(mid);
            long pivotLocation = l(mid);
            int i = lo - 1;
            int j = hi + 1;
            while (true) {
                do {
                    i++;
                } while (less(e(i), l(i), pivotEnd, pivotLocation));
                do {
                    j--;
                } while (less(pivotEnd, pivotLocation, e(j), l(j)));
                if (i >= j) {
                    break;
                }
                swap(i, j);
            }
            // [lo, j] <= pivot <= [j + 1, hi]: recurse into the smaller side, loop on the larger.
            if (j - lo < hi - j) {
                introsort(lo, j, depth);
                lo = j + 1;
            } else {
                introsort(j + 1, hi, depth);
                hi = j;
            }
        }
        insertionSort(lo, hi);
    }

    private void insertionSort(int lo, int hi) {
        for (int i = lo + 1; i <= hi; i++) {
            long s = e(i);
            long l = l(i);
            int j = i - 1;
            while (j >= lo && less(s, l, e(j), l(j))) {
                set(j + 1, e(j), l(j));
                j--;
            }
            set(j + 1, s, l);
        }
    }

    private void heapsort(int lo, int hi) {
        int n = hi - lo + 1;
        for (int i = n / 2 - 1; i >= 0; i--) {
            siftDown(lo, i, n);
        }
        for (int last = n - 1; last > 0; last--) {
            swap(lo, lo + last);
            siftDown(lo, 0, last);
        }
    }

    private void siftDown(int lo, int i, int n) {
        while (true) {
            int child = 2 * i + 1;
            if (child >= n) {
                return;
            }
            if (child + 1 < n && less(lo + child, lo + child + 1)) {
                child++;
            }
            if (!less(lo + i, lo + child)) {
                return;
            }
            swap(lo + i, lo + child);
            i = child;
        }
    }

    private void swap(int i, int j) {
        long s = e(i);
        long l = l(i);
        set(i, e(j), l(j));
        set(j, s, l);
    }

    /** For tests: sorts [0, size) with the heapsort alone. */
    void heapsortForTest() {
        if (size > 1) {
            heapsort(0, size - 1);
        }
    }
}
