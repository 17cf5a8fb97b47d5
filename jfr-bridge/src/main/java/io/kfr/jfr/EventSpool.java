package io.kfr.jfr;

import io.kfr.collectors.HeapShare;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.LongSupplier;

/**
 * Events waiting for a chunk, appended to a temp file so memory stays flat however long kfr
 * records. Records are kfr's own compact form (pool keys, epoch nanos); they become JFR events only
 * when a chunk is written, in that chunk's time base. Not thread-safe: {@link KfrChunk} serializes.
 * <p>
 * Bounded: the spool lives in java.io.tmpdir, where JFR keeps its own repository, and JFR shuts
 * the JVM down when it cannot write there ("An irrecoverable error in Jfr"). So before each write
 * the spool checks that the file system keeps free the reserve for others (JFR, the JVM's
 * recording: {@link #reserveBytes} by default) plus the room the chunk will need ({@link
 * #chunkRoom}), and it never grows beyond {@link #MAX_BYTES}. When either would be crossed, or a write fails, the
 * spool stops for good: what was written before stays readable (whole records only), later
 * records are refused and counted ({@link #append} returns false).
 */
final class EventSpool implements Closeable {
    /** The most a spool holds: at the default threshold's ~16-80 kB/s this is days of recording. */
    static final long MAX_BYTES = 4L << 30;
    /** Free space kfr leaves on the spool's file system, at least: JFR's repository needs room. */
    static final long MIN_RESERVE_BYTES = 64L << 20;
    /**
     * A write per 16 kB: at a busy server's ~1 MB/s of records that is ~60 writes/s, and the
     * buffer is memory the application's heap holds for as long as kfr records.
     */
    private static final int BUFFER_BYTES = HeapShare.entries(16 * 1024, 4 * 1024);

    private final Path file;
    /** Null once {@link #finish} closed it: a closed segment keeps only what its readers need. */
    private FileChannel channel;
    /** Written before each of the spool's writes (the segment's pool journal), or null. */
    private java.io.Flushable beforeWrite;
    /** Bytes of the other segments of the same recording: they count against the bounds too. */
    private long othersBytes;
    /** A spool of a JVM that is gone, only read ({@link #existing}): close leaves the file. */
    private final boolean readOnly;
    private final FileStore store;
    private final LongSupplier reserve;
    private final long maxBytes;
    /** Null once {@link #finish} ended the appends. */
    private byte[] buffer = new byte[BUFFER_BYTES];
    private int buffered;
    private long bufferedRecords;
    /** Bytes and records on disk: whole records only. */
    private long written;
    private long records;
    /** Why the spool stopped, or null while it takes records. */
    private String stopped;
    private long refused;

    EventSpool(Path dir) throws IOException {
        this(dir, MAX_BYTES, null);
    }

    /**
     * @param maxBytes the spool's bound
     * @param reserve free space to leave on the file system, asked before each write (it may grow,
     *        e.g. with the JVM recording that will be written there); null: {@link #reserveBytes}
     */
    EventSpool(Path dir, long maxBytes, LongSupplier reserve) throws IOException {
        this(dir, "kfr-", maxBytes, reserve);
    }

    /**
     * A new spool file {@code dir/<prefix><unique>.spool}. Not deleted on exit by the JVM (a
     * segmented spool makes new files for months, and every deleteOnExit name stays in memory):
     * {@link #close} deletes it, and kfr's next start removes what a killed JVM left.
     */
    EventSpool(Path dir, String prefix, long maxBytes, LongSupplier reserve) throws IOException {
        Files.createDirectories(dir);
        file = io.kfr.collectors.PrivateFiles.file(dir, prefix, ".spool");
        channel = FileChannel.open(file, StandardOpenOption.WRITE);
        store = Files.getFileStore(file);
        this.maxBytes = maxBytes;
        long fixed = reserveBytes(store);
        this.reserve = reserve != null ? reserve : () -> fixed;
        this.readOnly = false;
    }

    private EventSpool(Path file, long length, long records) throws IOException {
        this.file = file;
        this.channel = FileChannel.open(file, StandardOpenOption.READ);
        this.store = Files.getFileStore(file);
        this.maxBytes = 0;
        this.reserve = () -> 0;
        this.readOnly = true;
        this.written = length;
        this.records = records;
        this.stopped = "read only";
    }

    /** The first {@code length} bytes ({@code records} whole records) of a spool file left by a JVM that is gone. */
    static EventSpool existing(Path file, long length, long records) throws IOException {
        return new EventSpool(file, length, records);
    }

    /** {@code flushable} is flushed before each write of the spool (and a failure stops the spool). */
    void beforeWrite(java.io.Flushable flushable) {
        this.beforeWrite = flushable;
    }

    /** Bytes other segments of the same recording hold: counted against the bound and the reserve. */
    void othersBytes(long bytes) {
        this.othersBytes = bytes;
    }

    /** Bytes written and buffered. */
    long bytes() {
        return written + buffered;
    }

    /** Free space the spool leaves on {@code store}: 64 MB, or 5% of a larger file system. */
    public static long reserveBytes(FileStore store) throws IOException {
        return Math.max(MIN_RESERVE_BYTES, store.getTotalSpace() / 20);
    }

    Path file() {
        return file;
    }

    /**
     * Appends a record, or refuses it (false) once the spool stopped; {@link #stopped} then says
     * why. A stop may also drop the records still buffered: {@link #records} counts what is kept.
     */
    boolean append(JfrBuffer record) {
        if (stopped != null) {
            refused++;
            return false;
        }
        if (record.size() > buffer.length - buffered) {
            writeBuffer();
            if (stopped != null) {
                refused++;
                return false;
            }
            if (record.size() > buffer.length) { // a record larger than the buffer: the buffer grows to it
                buffer = new byte[record.size()];
            }
        }
        System.arraycopy(record.bytes(), 0, buffer, buffered, record.size());
        buffered += record.size();
        bufferedRecords++;
        return true;
    }

    /** Why the spool stopped taking records (one line), or null. */
    String stopped() {
        return stopped;
    }

    /** Records refused or dropped since the spool stopped. */
    long refused() {
        return refused;
    }

    /** Records on disk after {@link #flush}. */
    long records() {
        return records;
    }

    private void writeBuffer() {
        if (buffered == 0 || stopped != null || buffer == null) {
            return;
        }
        try {
            long usable = store.getUsableSpace();
            long reserve = this.reserve.getAsLong();
            if (othersBytes + written + buffered > maxBytes) {
                stop("kfr's spool reached its bound of " + (maxBytes >> 20) + " MB (" + file + ")");
            } else if (usable - buffered < reserve + chunkRoom(othersBytes + written + buffered)) {
                stop("only " + mb(usable) + " free where kfr spools (" + file.getParent() + "); kfr leaves "
                        + mb(reserve) + " there for JFR and others");
            } else {
                if (beforeWrite != null) {
                    beforeWrite.flush(); // the keys these records use are on disk before them
                }
                ByteBuffer b = ByteBuffer.wrap(buffer, 0, buffered);
                while (b.hasRemaining()) {
                    channel.write(b, written + b.position());
                }
                written += buffered;
                records += bufferedRecords;
            }
        } catch (IOException | RuntimeException e) {
            stop("cannot write kfr's spool " + file + ": " + e.getMessage());
            try {
                channel.truncate(written); // whole records only
            } catch (IOException | RuntimeException ignored) {
                // readers never read past written anyway
            }
        }
        buffered = 0;
        bufferedRecords = 0;
    }

    /**
     * Room the chunk made from {@code spoolBytes} of records will take when it is written (JFR's
     * encoding is up to ~1.5 times the spool's): kept free too, so that at a full disk the file
     * still gets every event spooled.
     */
    static long chunkRoom(long spoolBytes) {
        return spoolBytes + spoolBytes / 2;
    }

    private void stop(String why) {
        stopped = why;
        refused += bufferedRecords;
    }

    private static String mb(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f MB", bytes / 1048576.0);
    }

    /**
     * No more appends (a closed segment): buffered records go to the file, and the write channel
     * and buffer are given back; readers go on ({@link #reader}, {@link #openChannel}).
     */
    void finish() {
        if (buffer == null) {
            return;
        }
        writeBuffer();
        buffer = null;
        if (stopped == null) {
            stopped = "closed";
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing more is written through it
        }
        channel = null;
    }

    /** Writes buffered records to the file; returns how many bytes a reader may read ({@link #records} of them). */
    long flush() {
        writeBuffer();
        return written;
    }

    /** Reads the first {@code limit} bytes, while appends may continue behind them. */
    Reader reader(long limit) throws IOException {
        return reader(file, limit);
    }

    /** Reads the first {@code limit} bytes of a spool file. */
    static Reader reader(Path file, long limit) throws IOException {
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
            if (channel != null) {
                channel.close();
            }
        } finally {
            if (!readOnly) {
                Files.deleteIfExists(file);
            }
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
