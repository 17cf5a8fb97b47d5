package io.kfr.collectors.natives;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * Memory for kfr's bulk tables (kernel and ELF symbol tables, and what they are parsed from)
 * outside the application's Java heap. With libkfr loaded the memory is an anonymous mapping made
 * by libkfr: not in the heap and not counted under -XX:MaxDirectMemorySize (which defaults to the
 * heap's size), so a JVM with -Xmx16m pays nothing in its heap for ~15 MB of symbols. Without libkfr
 * (unit tests) it falls back to ordinary direct buffers. A buffer from {@link #allocate} is given
 * back with {@link #free} at most once; tables kept for the JVM's lifetime are never freed.
 */
public final class OffHeap {
    /** The buffers libkfr mapped and not yet freed (identity: buffers compare by content). */
    private static final Set<ByteBuffer> MAPPED = Collections.newSetFromMap(new IdentityHashMap<>());

    private OffHeap() {
    }

    /** A zeroed buffer of {@code bytes} (at least 1), in native byte order. */
    public static ByteBuffer allocate(long bytes) {
        long n = Math.max(1, bytes);
        if (n > Integer.MAX_VALUE) {
            throw new OutOfMemoryError("kfr: off-heap table of " + n + " bytes is too large");
        }
        ByteBuffer b = null;
        if (NativeLibrary.isLoaded()) {
            b = KfrNative.allocateMemory(n);
            if (b == null) {
                throw new OutOfMemoryError("kfr: cannot map " + n + " bytes for its tables");
            }
            synchronized (MAPPED) {
                MAPPED.add(b);
            }
        } else {
            b = ByteBuffer.allocateDirect((int) n);
        }
        return b.order(ByteOrder.nativeOrder());
    }

    /** A buffer of at least {@code bytes} holding {@code old}'s first {@code used} bytes; frees {@code old}. */
    public static ByteBuffer grow(ByteBuffer old, long bytes, int used) {
        ByteBuffer b = allocate(bytes);
        Buffers.put(b, 0, old, 0, used);
        free(old);
        return b;
    }

    /** Gives back a buffer from {@link #allocate}; null and unknown buffers are ignored. */
    public static void free(ByteBuffer b) {
        boolean mapped;
        synchronized (MAPPED) {
            mapped = b != null && MAPPED.remove(b);
        }
        if (mapped) { // only libkfr's mappings: a JVM direct buffer is left to its cleaner
            KfrNative.freeMemory(b);
        }
    }
}
