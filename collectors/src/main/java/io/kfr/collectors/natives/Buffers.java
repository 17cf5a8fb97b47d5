package io.kfr.collectors.natives;

import java.nio.ByteBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;

/**
 * Absolute bulk transfers and slices (what ByteBuffer has from Java 13 and 16 on) for Java 11:
 * they leave the buffer's position and limit as they are, on a duplicate. A duplicate's byte
 * order is big-endian, as the Java 13+ slice's is; bulk byte copies do not depend on it.
 */
public final class Buffers {
    private Buffers() {
    }

    /** b.get(index, dst) */
    public static void get(ByteBuffer b, int index, byte[] dst) {
        get(b, index, dst, 0, dst.length);
    }

    /** b.get(index, dst, offset, length) */
    public static void get(ByteBuffer b, int index, byte[] dst, int offset, int length) {
        b.duplicate().position(index).get(dst, offset, length);
    }

    /** b.put(index, src, offset, length) */
    public static void put(ByteBuffer b, int index, byte[] src, int offset, int length) {
        b.duplicate().position(index).put(src, offset, length);
    }

    /** b.put(index, src, offset, length): src's bytes [offset, offset + length) to b from index */
    public static void put(ByteBuffer b, int index, ByteBuffer src, int offset, int length) {
        ByteBuffer from = src.duplicate();
        from.limit(offset + length).position(offset);
        b.duplicate().position(index).put(from);
    }

    /** b.slice(index, length) */
    public static ByteBuffer slice(ByteBuffer b, int index, int length) {
        ByteBuffer d = b.duplicate();
        d.limit(index + length).position(index);
        return d.slice();
    }

    /** b.get(index, dst, offset, length) */
    public static void get(LongBuffer b, int index, long[] dst, int offset, int length) {
        b.duplicate().position(index).get(dst, offset, length);
    }

    /** b.get(index, dst, offset, length) */
    public static void get(IntBuffer b, int index, int[] dst, int offset, int length) {
        b.duplicate().position(index).get(dst, offset, length);
    }

    /** b.put(index, src, offset, length) */
    public static void put(LongBuffer b, int index, long[] src, int offset, int length) {
        b.duplicate().position(index).put(src, offset, length);
    }

    /** b.put(index, src, offset, length) */
    public static void put(IntBuffer b, int index, int[] src, int offset, int length) {
        b.duplicate().position(index).put(src, offset, length);
    }
}
