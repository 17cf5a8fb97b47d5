package io.kfr.collectors.symbols;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Symbol names packed into one byte array (a symbol table holds 10^5 names; a String each would
 * cost several MB). A name becomes a String only when it is first resolved, then it is kept.
 */
final class NameTable {
    private final byte[] bytes;
    private final int[] starts; // starts[i]..starts[i+1] is name i
    private final String[] strings; // filled lazily; racy writes are benign (same value)

    private NameTable(byte[] bytes, int[] starts, int count) {
        this.bytes = bytes;
        this.starts = starts;
        this.strings = new String[count];
    }

    int size() {
        return strings.length;
    }

    String get(int i) {
        String s = strings[i];
        if (s == null) {
            s = new String(bytes, starts[i], starts[i + 1] - starts[i], StandardCharsets.UTF_8);
            strings[i] = s;
        }
        return s;
    }

    /** Appends names; {@link #add} returns the index the name will have. */
    static final class Builder {
        private byte[] bytes;
        private int length;
        private int[] starts;
        private int count;

        Builder(int expectedNames, int expectedBytes) {
            bytes = new byte[Math.max(16, expectedBytes)];
            starts = new int[Math.max(2, expectedNames + 1)];
        }

        int add(byte[] src, int from, int to) {
            ensure(to - from);
            System.arraycopy(src, from, bytes, length, to - from);
            return finish(to - from);
        }

        /** Copies the bytes from {@code src[pos]} up to (not including) the first NUL. */
        int addNulTerminated(ByteBuffer src, int pos) {
            int end = pos;
            int limit = src.limit();
            while (end < limit && src.get(end) != 0) {
                end++;
            }
            int n = end - pos;
            ensure(n);
            src.get(pos, bytes, length, n);
            return finish(n);
        }

        private void ensure(int n) {
            if (length + n > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + n));
            }
            if (count + 2 > starts.length) {
                starts = Arrays.copyOf(starts, starts.length * 2);
            }
        }

        private int finish(int n) {
            starts[count] = length;
            length += n;
            starts[count + 1] = length;
            return count++;
        }

        NameTable build() {
            return new NameTable(Arrays.copyOf(bytes, length), Arrays.copyOf(starts, count + 1), count);
        }
    }
}
