package io.kfr.jfr;

import io.kfr.collectors.ThreadRef;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.Flushable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A spool segment's constant pools on disk: every value a pool takes in, in the order it took them
 * in, so that replaying the file gives every value its key again. The segment's spool records hold
 * only keys; with this file next to them a segment is self-contained on disk, so a closed segment
 * needs no pools in memory (they are read back while its chunk is written) and a spool left by a
 * killed JVM can still be turned into a file ({@link SpoolRecovery}). The spool flushes this file
 * before each of its own writes ({@link #flush}): every key on disk is defined on disk.
 */
final class PoolJournal implements Closeable, Flushable {
    static final int STRING = 1;
    static final int SYMBOL = 2;
    static final int FRAME_TYPE = 3;
    static final int PACKAGE = 4;
    static final int CLASS = 5;
    static final int METHOD = 6;
    static final int THREAD = 7;
    static final int STACK = 8;
    /** Some records of the segment are jdk.ExecutionSample events. */
    static final int EXECUTION_SAMPLES = 9;

    private final Path file;
    /** Null once {@link #finish} closed it. */
    private FileChannel channel;
    /**
     * What waits for the spool's next write; written out early once it holds {@link #EARLY_BYTES}
     * (values may reach the disk before the records using them, never after), so it stays small.
     */
    private JfrBuffer buffer = new JfrBuffer(BUFFER_BYTES);
    private static final int BUFFER_BYTES = 4 * 1024;
    private static final int EARLY_BYTES = 16 * 1024;
    private long written;

    PoolJournal(Path file) throws IOException {
        this.file = file;
        // private like the spool: thread names and code of the application
        this.channel = FileChannel.open(file, java.util.EnumSet.of(StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW),
                java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
    }

    /** The journal that belongs to a spool file: the same name, ".pools" for ".spool". */
    static Path of(Path spoolFile) {
        String name = spoolFile.getFileName().toString();
        return spoolFile.resolveSibling(name.substring(0, name.length() - ".spool".length()) + ".pools");
    }

    Path file() {
        return file;
    }

    /** Bytes on disk and buffered. */
    long bytes() {
        return written + buffer.size();
    }

    void added(int pool, Object value) {
        if (buffer.size() >= EARLY_BYTES) {
            try {
                flush();
            } catch (IOException e) {
                // kept in the buffer: the spool's next write flushes again and handles the failure
            }
        }
        buffer.writeVarInt(pool);
        switch (pool) {
            case STRING:
            case SYMBOL:
            case FRAME_TYPE:
                text((String) value);
                break;
            case PACKAGE:
                buffer.writeVarInt((Integer) value);
                break;
            case CLASS: {
                ConstantPools.ClassEntry c = (ConstantPools.ClassEntry) value;
                buffer.writeVarInt(c.name());
                buffer.writeVarInt(c.pkg());
                break;
            }
            case METHOD: {
                ConstantPools.MethodEntry m = (ConstantPools.MethodEntry) value;
                buffer.writeVarInt(m.type());
                buffer.writeVarInt(m.name());
                buffer.writeVarInt(m.descriptor());
                buffer.writeBoolean(m.hidden());
                break;
            }
            case THREAD: {
                ThreadRef t = (ThreadRef) value;
                buffer.writeVarInt(t.tid());
                text(t.osName());
                buffer.writeVarLong(t.javaThreadId() + 1); // -1: not a Java thread
                text(t.javaName());
                break;
            }
            case STACK: {
                ConstantPools.StackEntry s = (ConstantPools.StackEntry) value;
                buffer.writeBoolean(s.truncated());
                buffer.writeVarInt(s.frames().length);
                for (int f : s.frames()) {
                    buffer.writeVarInt(f);
                }
                break;
            }
            case EXECUTION_SAMPLES:
                break;
            default:
                throw new IllegalArgumentException("pool " + pool);
        }
    }

    /** Null as length 0, else length + 1 and UTF-8. */
    private void text(String s) {
        if (s == null) {
            buffer.writeVarInt(0);
            return;
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        buffer.writeVarInt(b.length + 1);
        buffer.writeBytes(b, 0, b.length);
    }

    @Override
    public void flush() throws IOException {
        if (buffer.size() == 0) {
            return;
        }
        ByteBuffer b = ByteBuffer.wrap(buffer.bytes(), 0, buffer.size());
        while (b.hasRemaining()) {
            channel.write(b, written + b.position());
        }
        written += buffer.size();
        if (buffer.size() > 2 * EARLY_BYTES) {
            buffer = new JfrBuffer(BUFFER_BYTES); // one burst of values does not keep a large buffer
        } else {
            buffer.reset();
        }
    }

    /** No more values (a closed segment): the rest goes to the file, channel and buffer are given back. */
    void finish() throws IOException {
        if (channel == null) {
            return;
        }
        try {
            flush();
        } finally {
            channel.close();
            channel = null;
            buffer = new JfrBuffer(0);
        }
    }

    @Override
    public void close() throws IOException {
        if (channel != null) {
            channel.close();
        }
    }

    /**
     * The pools a journal describes. A journal cut short (a JVM killed while writing it) gives the
     * values before the cut: the spool's records on disk never refer past them.
     */
    static ConstantPools read(Path file) throws IOException {
        ConstantPools pools = new ConstantPools();
        try (InputStream raw = Files.newInputStream(file);
             DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 64 * 1024))) {
            while (true) {
                int pool;
                try {
                    pool = varInt(in);
                } catch (EOFException end) {
                    return pools;
                }
                try {
                    pools.restore(pool, readValue(in, pool));
                } catch (EOFException cut) {
                    return pools;
                }
            }
        }
    }

    private static Object readValue(DataInputStream in, int pool) throws IOException {
        switch (pool) {
            case STRING:
            case SYMBOL:
            case FRAME_TYPE:
                return text(in);
            case PACKAGE:
                return varInt(in);
            case CLASS:
                return new ConstantPools.ClassEntry(varInt(in), varInt(in));
            case METHOD:
                return new ConstantPools.MethodEntry(varInt(in), varInt(in), varInt(in), in.readByte() != 0);
            case THREAD:
                return new ThreadRef(varInt(in), text(in), varLong(in) - 1, text(in));
            case STACK: {
                boolean truncated = in.readByte() != 0;
                int[] frames = new int[varInt(in)];
                for (int i = 0; i < frames.length; i++) {
                    frames[i] = varInt(in);
                }
                return new ConstantPools.StackEntry(truncated, frames);
            }
            case EXECUTION_SAMPLES:
                return Boolean.TRUE;
            default:
                throw new IOException("corrupt kfr pool journal: entry kind " + pool);
        }
    }

    private static String text(DataInputStream in) throws IOException {
        int n = varInt(in);
        if (n == 0) {
            return null;
        }
        byte[] b = new byte[n - 1];
        in.readFully(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    private static int varInt(DataInputStream in) throws IOException {
        return (int) varLong(in);
    }

    /** JfrBuffer's varint: 7 bits a byte, low first, the 9th byte whole. */
    private static long varLong(DataInputStream in) throws IOException {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            int b = in.readUnsignedByte();
            v |= (long) (b & 0x7F) << (7 * i);
            if (b < 0x80) {
                return v;
            }
        }
        return v | (long) in.readUnsignedByte() << 56;
    }
}
