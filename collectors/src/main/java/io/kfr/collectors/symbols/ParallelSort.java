package io.kfr.collectors.symbols;

/**
 * Sorts a long key array and an int payload array together, without boxing (the JDK sorts
 * primitives only one array at a time). Quicksort with insertion sort for short runs.
 */
final class ParallelSort {
    private ParallelSort() {
    }

    static void sort(long[] keys, int[] vals, int n) {
        if (isSorted(keys, n)) {
            return; // kallsyms is nearly always sorted already
        }
        quicksort(keys, vals, 0, n - 1);
    }

    private static boolean isSorted(long[] keys, int n) {
        for (int i = 1; i < n; i++) {
            if (Long.compareUnsigned(keys[i - 1], keys[i]) > 0) {
                return false;
            }
        }
        return true;
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

    /** Index of the last key <= x (unsigned), or -1. */
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
