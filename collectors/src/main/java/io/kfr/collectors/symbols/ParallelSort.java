package io.kfr.collectors.symbols;

import io.kfr.collectors.natives.Buffers;

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
        // Sorted on the heap for a moment (12 bytes a symbol: 0.6 MB for libjvm): through the
        // buffers the sort is ~10x slower while kfr's thread still runs interpreted.
        long[] k = new long[n];
        int[] v = new int[n];
        Buffers.get(keys.asLongBuffer(), 0, k, 0, n);
        Buffers.get(vals.asIntBuffer(), 0, v, 0, n);
        quicksort(k, v, 0, n - 1);
        Buffers.put(keys.asLongBuffer(), 0, k, 0, n);
        Buffers.put(vals.asIntBuffer(), 0, v, 0, n);
    }

    /** Sorts heap arrays (kallsyms' candidates), nearly always sorted already. */
    static void sort(long[] keys, int[] vals, int n) {
        for (int i = 1; i < n; i++) {
            if (Long.compareUnsigned(keys[i - 1], keys[i]) > 0) {
                quicksort(keys, vals, 0, n - 1);
                return;
            }
        }
    }

    // Unsigned comparison: kernel addresses have the top bit set.
    private static void quicksort(long[] k, int[] v, int lo, int hi) {
        while (hi - lo > 16) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(k[mid], k[lo]) < 0) swap(k, v, mid, lo);
            if (Long.compareUnsigned(k[hi], k[lo]) < 0) swap(k, v, hi, lo);
            if (Long.compareUnsigned(k[hi], k[mid]) < 0) swap(k, v, hi, mid);
            long pivot = k[mid];
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (Long.compareUnsigned(k[i], pivot) < 0) i++;
                while (Long.compareUnsigned(k[j], pivot) > 0) j--;
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
            long key = k[i];
            int val = v[i];
            int j = i - 1;
            while (j >= lo && Long.compareUnsigned(k[j], key) > 0) {
                k[j + 1] = k[j];
                v[j + 1] = v[j];
                j--;
            }
            k[j + 1] = key;
            v[j + 1] = val;
        }
    }

    private static void swap(long[] k, int[] v, int a, int b) {
        long tk = k[a];
        k[a] = k[b];
        k[b] = tk;
        int tv = v[a];
        v[a] = v[b];
        v[b] = tv;
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
