package io.kfr.jfr;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Events waiting for a chunk, appended to a temp file so memory stays flat however long kfr
 * records. Records are kfr's own compact form (pool keys, epoch nanos); they become JFR events only
 * when a chunk is written, in that chunk's time base. Not thread-safe: {@link KfrChunk} serializes.
 */
final class EventSpool implements Closeable {
    private final Path file;
    private final OutputStream out;
    private long written;

    EventSpool(Path dir) throws IOException {
        Files.createDirectories(dir);
        file = Files.createTempFile(dir, "kfr-", ".spool");
        file.toFile().deleteOnExit(); // if close() is never reached
        out = new BufferedOutputStream(Files.newOutputStream(file), 64 * 1024);
    }

    Path file() {
        return file;
    }

    void append(JfrBuffer record) throws IOException {
        record.writeTo(out);
        written += record.size();
    }

    /** Pushes buffered records to the file; returns how many bytes a reader may read. */
    long flush() throws IOException {
        out.flush();
        return written;
    }

    /** Reads the first {@code limit} bytes, while appends may continue behind them. */
    Reader reader(long limit) throws IOException {
        return new Reader(Files.newInputStream(file), limit);
    }

    /** For reads at any position below {@link #flush}'s result, while appends continue behind. */
    FileChannel openChannel() throws IOException {
        return FileChannel.open(file, StandardOpenOption.READ);
    }

    /** Reads {@code dst.remaining()} bytes at {@code position}. */
    static void readFully(FileChannel ch, ByteBuffer dst, long position) throws IOException {
        while (dst.hasRemaining()) {
            int n = ch.read(dst, position);
            if (n < 0) {
                throw new EOFException("kfr spool is shorter than written");
            }
            position += n;
        }
    }

    @Override
    public void close() throws IOException {
        try {
            out.close();
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /**
     * Sequential decoder of spooled records: of the spool file, bounded to a snapshot's length, or
     * of records already in memory ({@link #of}).
     */
    static final class Reader implements Closeable {
        private final InputStream in;
        /** A heap array's wrapper for the spool file; the caller's (off-heap) records otherwise. */
        private final ByteBuffer buf;
        private int pos;
        private int end;
        private long remaining;
        /** Bytes loaded into buf so far, in all. */
        private long loaded;

        private Reader(InputStream in, long limit) {
            this.in = in;
            this.buf = ByteBuffer.wrap(new byte[64 * 1024]);
            this.remaining = limit;
        }

        private Reader(ByteBuffer records) {
            this.in = null;
            this.buf = records;
        }

        /** A reader of records in {@code records}; {@link #wrap} says how many bytes are valid. */
        static Reader of(ByteBuffer records) {
            return new Reader(records);
        }

        /** Restarts at records[0], with records[0, length) to read. */
        void wrap(int length) {
            if (in != null || length > buf.capacity()) {
                throw new IllegalStateException();
            }
            pos = 0;
            end = length;
            loaded = length;
        }

        /** Bytes consumed so far (since the last {@link #wrap}). */
        long position() {
            return loaded - (end - pos);
        }

        boolean atEnd() throws IOException {
            return pos == end && !fill();
        }

        private boolean fill() throws IOException {
            if (remaining == 0) {
                return false;
            }
            int n = in.read(buf.array(), 0, (int) Math.min(buf.capacity(), remaining));
            if (n < 0) {
                throw new EOFException("kfr spool is shorter than written");
            }
            pos = 0;
            end = n;
            remaining -= n;
            loaded += n;
            return true;
        }

        int readByte() throws IOException {
            if (pos == end && !fill()) {
                throw new EOFException("truncated kfr spool record");
            }
            return buf.get(pos++) & 0xFF;
        }

        long readVarLong() throws IOException {
            long v = 0;
            for (int i = 0; i < 8; i++) {
                int b = readByte();
                v |= (long) (b & 0x7F) << (7 * i);
                if (b < 0x80) {
                    return v;
                }
            }
            return v | (long) readByte() << 56;
        }

        int readVarInt() throws IOException {
            return (int) readVarLong();
        }

        long readRawLong() throws IOException {
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = v << 8 | readByte();
            }
            return v;
        }

        @Override
        public void close() throws IOException {
            if (in != null) {
                in.close();
            }
        }
    }
}
