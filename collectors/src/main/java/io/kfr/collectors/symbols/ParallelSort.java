package io.kfr.collectors.symbols;

import java.nio.ByteBuffer;

/**
 * Sorts a long key array and an int payload array together, without boxing (the JDK sorts
 * primitives only one array at a time). Quicksort with insertion sort for short runs. The arrays
 * are off-heap buffers (longs at 8*i, ints at 4*i; see {@link io.kfr.collectors.natives.OffHeap}).
 */
final class ParallelSort {
    private ParallelSort() {
    }

    static void sort(ByteBuffer keys, ByteBuffer vals, int n) {
        if (isSorted(keys, n)) {
            return; // kallsyms is nearly always sorted already
        }
        quicksort(keys, vals, 0, n - 1);
    }

    private static long k(ByteBuffer k, int i) {
        return k.getLong(8 * i);
    }

    private static boolean isSorted(ByteBuffer keys, int n) {
        for (int i = 1; i < n; i++) {
            if (Long.compareUnsigned(k(keys, i - 1), k(keys, i)) > 0) {
                return false;
            }
        }
        return true;
    }

    // Unsigned comparison: kernel addresses have the top bit set.
    private static void quicksort(ByteBuffer k, ByteBuffer v, int lo, int hi) {
        while (hi - lo > 16) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(k(k, mid), k(k, lo)) < 0) swap(k, v, mid, lo);
            if (Long.compareUnsigned(k(k, hi), k(k, lo)) < 0) swap(k, v, hi, lo);
            if (Long.compareUnsigned(k(k, hi), k(k, mid)) < 0) swap(k, v, hi, mid);
            long pivot = k(k, mid);
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (Long.compareUnsigned(k(k, i), pivot) < 0) i++;
                while (Long.compareUnsigned(k(k, j), pivot) > 0) j--;
                if (i <= j) {
                    swap(k, v, i++, j--);
                }
            }
            // recurse into the smaller half, loop on the larger: bounded stack depth
            if (j - lo < hi - i) {
                quicksort(k, v, lo, j);
                lo = i;
            } else {
                quicksort(k, v, i, hi);
                hi = j;
            }
        }
        for (int i = lo + 1; i <= hi; i++) {
            long key = k(k, i);
            int val = v.getInt(4 * i);
            int j = i - 1;
            while (j >= lo && Long.compareUnsigned(k(k, j), key) > 0) {
                k.putLong(8 * (j + 1), k(k, j));
                v.putInt(4 * (j + 1), v.getInt(4 * j));
                j--;
            }
            k.putLong(8 * (j + 1), key);
            v.putInt(4 * (j + 1), val);
        }
    }

    private static void swap(ByteBuffer k, ByteBuffer v, int a, int b) {
        long tk = k(k, a);
        k.putLong(8 * a, k(k, b));
        k.putLong(8 * b, tk);
        int tv = v.getInt(4 * a);
        v.putInt(4 * a, v.getInt(4 * b));
        v.putInt(4 * b, tv);
    }

    /** Index of the last key <= x (unsigned), or -1. */
    static int floor(ByteBuffer keys, int n, long x) {
        int lo = 0;
        int hi = n - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(k(keys, mid), x) <= 0) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }

    /** Index of the last key <= x (unsigned), or -1; for small on-heap tables (memory mappings). */
    static int floor(long[] keys, int n, long x) {
        int lo = 0;
        int hi = n - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(keys[mid], x) <= 0) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }
}
