package io.kfr.jfr;

/**
 * A pool's keys by a 64-bit hash of the value: 12 bytes a slot, at most 3/4 full, instead of
 * the values themselves (they are in the pool's journal). Two different values of one pool share
 * a hash with a chance of about n²/2⁶⁵ (n = {@link ConstantPools#MAX_ENTRIES} at most: below
 * 10⁻¹⁰). Open addressing, linear probing; hash 0 is stored as 1 (0 marks a free slot).
 */
final class KeysByHash {
    private long[] hashes = new long[256];
    private int[] keys = new int[256];
    private int size;

    /** The key stored for this hash, or 0. */
    int get(long hash) {
        long h = hash == 0 ? 1 : hash;
        int mask = hashes.length - 1;
        for (int i = slot(h, mask); ; i = (i + 1) & mask) {
            if (hashes[i] == h) {
                return keys[i];
            }
            if (hashes[i] == 0) {
                return 0;
            }
        }
    }

    void put(long hash, int key) {
        if (4 * (size + 1) > 3 * hashes.length) {
            grow();
        }
        insert(hash == 0 ? 1 : hash, key);
    }

    private void insert(long h, int key) {
        int mask = hashes.length - 1;
        int i = slot(h, mask);
        while (hashes[i] != 0 && hashes[i] != h) {
            i = (i + 1) & mask;
        }
        if (hashes[i] == 0) {
            size++;
        }
        hashes[i] = h;
        keys[i] = key;
    }

    private void grow() {
        long[] oldHashes = hashes;
        int[] oldKeys = keys;
        hashes = new long[oldHashes.length * 2];
        keys = new int[oldKeys.length * 2];
        size = 0;
        for (int i = 0; i < oldHashes.length; i++) {
            if (oldHashes[i] != 0) {
                insert(oldHashes[i], oldKeys[i]);
            }
        }
    }

    private static int slot(long h, int mask) {
        return (int) (h ^ (h >>> 32)) & mask;
    }

    /** Hashes values into 64 bits: two independent multiply-mix lanes. */
    static final class Hasher {
        private long a;
        private long b;

        Hasher(int seed) {
            a = 0x9E3779B97F4A7C15L * (seed + 1);
            b = 0x632BE59BD9B4E019L ^ seed;
        }

        Hasher add(long v) {
            a = (a ^ v) * 0xFF51AFD7ED558CCDL;
            a ^= a >>> 33;
            b = (b + v) * 0xC4CEB9FE1A85EC53L;
            b ^= b >>> 29;
            return this;
        }

        /** Null and the empty string hash apart. */
        Hasher add(String s) {
            if (s == null) {
                return add(-1L);
            }
            add(s.length());
            for (int i = 0; i < s.length(); i++) {
                add(s.charAt(i));
            }
            return this;
        }

        Hasher add(int[] values) {
            add(values.length);
            for (int v : values) {
                add(v);
            }
            return this;
        }

        long hash() {
            return a ^ Long.rotateLeft(b, 31);
        }
    }
}
