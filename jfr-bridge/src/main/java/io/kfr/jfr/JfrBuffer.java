package io.kfr.jfr;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable byte buffer with the encodings of the JFR file format (version 2, compressed integers):
 * integers as LEB128 varints (at most 9 bytes, the 9th carrying 8 bits, as the JDK and JMC readers
 * decode them), doubles and header fields raw big-endian, strings with a leading encoding byte.
 */
final class JfrBuffer {
    /** String encodings (jdk.jfr.internal.consumer.StringParser.Encoding). */
    static final byte STRING_NULL = 0;
    static final byte STRING_EMPTY = 1;
    static final byte STRING_CONSTANT_POOL = 2;
    static final byte STRING_UTF8 = 3;
    static final byte STRING_LATIN1 = 5;

    private byte[] bytes;
    private int size;

    JfrBuffer() {
        this(256);
    }

    JfrBuffer(int capacity) {
        bytes = new byte[Math.max(16, capacity)];
    }

    int size() {
        return size;
    }

    void reset() {
        size = 0;
    }

    private void ensure(int more) {
        if (size + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
        }
    }

    JfrBuffer writeByte(int b) {
        ensure(1);
        bytes[size++] = (byte) b;
        return this;
    }

    JfrBuffer writeBoolean(boolean b) {
        return writeByte(b ? 1 : 0);
    }

    JfrBuffer writeBytes(byte[] b, int off, int len) {
        ensure(len);
        System.arraycopy(b, off, bytes, size, len);
        size += len;
        return this;
    }

    JfrBuffer writeBytes(JfrBuffer other) {
        return writeBytes(other.bytes, 0, other.size);
    }

    /** Compressed long: 7 bits per byte, low bits first; the 9th byte holds the top 8 bits. */
    JfrBuffer writeVarLong(long v) {
        ensure(9);
        for (int i = 0; i < 8; i++) {
            if ((v & ~0x7FL) == 0) {
                bytes[size++] = (byte) v;
                return this;
            }
            bytes[size++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        bytes[size++] = (byte) v;
        return this;
    }

    /** Ints go out as their unsigned 32-bit value so -1 takes 5 bytes, as HotSpot writes them. */
    JfrBuffer writeVarInt(int v) {
        return writeVarLong(v & 0xFFFF_FFFFL);
    }

    static int varLongSize(long v) {
        for (int i = 1; i < 9; i++) {
            if ((v & ~0x7FL) == 0) {
                return i;
            }
            v >>>= 7;
        }
        return 9;
    }

    JfrBuffer writeRawShort(int v) {
        writeByte(v >>> 8);
        return writeByte(v);
    }

    JfrBuffer writeRawInt(int v) {
        ensure(4);
        for (int shift = 24; shift >= 0; shift -= 8) {
            bytes[size++] = (byte) (v >>> shift);
        }
        return this;
    }

    JfrBuffer writeRawLong(long v) {
        ensure(8);
        for (int shift = 56; shift >= 0; shift -= 8) {
            bytes[size++] = (byte) (v >>> shift);
        }
        return this;
    }

    /** Doubles are never compressed: 8 raw big-endian bytes. */
    JfrBuffer writeDouble(double d) {
        return writeRawLong(Double.doubleToRawLongBits(d));
    }

    /**
     * An inline string: null and "" have their own encodings; Latin-1 when every char fits (one
     * byte a char, what the JVM prefers), UTF-8 otherwise. The length is in bytes.
     */
    JfrBuffer writeString(String s) {
        if (s == null) {
            return writeByte(STRING_NULL);
        }
        if (s.isEmpty()) {
            return writeByte(STRING_EMPTY);
        }
        boolean latin1 = true;
        for (int i = 0; i < s.length() && latin1; i++) {
            latin1 = s.charAt(i) <= 0xFF;
        }
        byte[] b = s.getBytes(latin1 ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
        writeByte(latin1 ? STRING_LATIN1 : STRING_UTF8);
        writeVarInt(b.length);
        return writeBytes(b, 0, b.length);
    }

    /** A reference into the java.lang.String constant pool; key 0 stands for null. */
    JfrBuffer writePooledString(long key) {
        if (key == 0) {
            return writeByte(STRING_NULL);
        }
        writeByte(STRING_CONSTANT_POOL);
        return writeVarLong(key);
    }

    /**
     * Appends {@code body} as one event: a varint size that counts itself, then the body. The size
     * prefix is as short as it can be (readers accept any varint length).
     */
    JfrBuffer writeSizedEvent(JfrBuffer body) {
        int prefix = 1;
        while (varLongSize((long) body.size + prefix) != prefix) {
            prefix++;
        }
        writeVarLong((long) body.size + prefix);
        return writeBytes(body);
    }

    void writeTo(OutputStream out) throws IOException {
        out.write(bytes, 0, size);
    }

    /** The buffer's array; its first {@link #size} bytes are the content. */
    byte[] bytes() {
        return bytes;
    }

    byte[] toByteArray() {
        return Arrays.copyOf(bytes, size);
    }
}
