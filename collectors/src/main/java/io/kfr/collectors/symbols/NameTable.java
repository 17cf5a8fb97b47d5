package io.kfr.collectors.symbols;

import io.kfr.collectors.natives.Buffers;
import io.kfr.collectors.natives.OffHeap;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Symbol names packed into one off-heap buffer (a symbol table holds 10^5 names: a String each
 * would cost several MB, and even packed they must not sit in the application's heap, see
 * {@link OffHeap}). A name becomes a String only when asked for; the callers keep it in the frame
 * they make once per symbol, so only the names of frames actually seen are ever on the heap.
 */
final class NameTable {
    private final ByteBuffer bytes;
    private final ByteBuffer starts; // int starts[i]..starts[i+1] is name i
    private final int count;

    private NameTable(ByteBuffer bytes, ByteBuffer starts, int count) {
        this.bytes = bytes;
        this.starts = starts;
        this.count = count;
    }

    int size() {
        return count;
    }

    String get(int i) {
        int from = starts.getInt(4 * i);
        byte[] b = new byte[starts.getInt(4 * i + 4) - from];
        Buffers.get(bytes, from, b);
        return new String(b, StandardCharsets.UTF_8);
    }

    /** Appends names; {@link #add} returns the index the name will have. Off-heap throughout. */
    static final class Builder {
        private ByteBuffer bytes;
        private int length;
        private ByteBuffer starts;
        private int count;

        Builder(int expectedNames, int expectedBytes) {
            bytes = OffHeap.allocate(Math.max(16, expectedBytes));
            starts = OffHeap.allocate(4L * Math.max(2, expectedNames + 1));
        }

        int add(ByteBuffer src, int from, int to) {
            ensure(to - from);
            Buffers.put(bytes, length, src, from, to - from);
            return finish(to - from);
        }

        /** Copies the bytes from {@code src[pos]} up to (not including) the first NUL. */
        int addNulTerminated(ByteBuffer src, int pos) {
            int end = pos;
            int limit = src.limit();
            while (end < limit && src.get(end) != 0) {
                end++;
            }
            return add(src, pos, end);
        }

        private void ensure(int n) {
            if ((long) length + n > bytes.capacity()) {
                bytes = OffHeap.grow(bytes, Math.max(2L * bytes.capacity(), (long) length + n), length);
            }
            if (4L * (count + 2) > starts.capacity()) {
                starts = OffHeap.grow(starts, 2L * starts.capacity(), 4 * (count + 1));
            }
        }

        private int finish(int n) {
            starts.putInt(4 * count, length);
            length += n;
            starts.putInt(4 * (count + 1), length);
            return count++;
        }

        /** The table; the builder must not be used afterwards. Trims the buffers to their use. */
        NameTable build() {
            ByteBuffer b = OffHeap.allocate(length);
            Buffers.put(b, 0, bytes, 0, length);
            OffHeap.free(bytes);
            ByteBuffer s = OffHeap.allocate(4L * (count + 1));
            Buffers.put(s, 0, starts, 0, 4 * (count + 1));
            OffHeap.free(starts);
            bytes = null;
            starts = null;
            return new NameTable(b, s, count);
        }
    }
}
