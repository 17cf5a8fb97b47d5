package io.kfr.jfr;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongSupplier;

/**
 * One segment of kfr's spool: its records, its own constant pools and their journal, so that it
 * becomes a chunk on its own and is dropped whole (like one of JFR's chunks in a continuous
 * recording). Its pools' values are on disk (the journal), read back while its chunk is written;
 * while it is the segment being filled, what deduplicates new values stays in memory. Files:
 * {@code kfr-<sequence>-<unique>.spool} and the same name with {@code .pools}. Guarded by KfrChunk's lock.
 */
final class SpoolSegment {
    /** Sequence numbers in file names are this wide, so names sort in the order segments were made. */
    private static final int SEQUENCE_DIGITS = 9;

    final long sequence;
    final KfrTypes types = KfrTypes.next();
    final EventSpool spool;
    final PoolJournal journal;
    /** The pools while the segment is filled; null once closed. */
    private ConstantPools pools;
    private boolean executionSamples;
    /** System.nanoTime() when the segment was opened. */
    final long openedNanos;
    /** The newest event's end, epoch ns. */
    private long newestEndNanos = Long.MIN_VALUE;
    /** Chunk writes using the segment; a dropped segment is deleted when the last one ends. */
    private int users;
    private boolean dropped;
    private boolean deleted;

    SpoolSegment(Path dir, long sequence, long maxBytes, LongSupplier reserve) throws IOException {
        this.sequence = sequence;
        this.spool = new EventSpool(dir, prefix(sequence), maxBytes, reserve);
        PoolJournal j;
        try {
            j = new PoolJournal(PoolJournal.of(spool.file()));
        } catch (IOException | RuntimeException e) {
            spool.close();
            throw e;
        }
        this.journal = j;
        this.pools = new ConstantPools();
        pools.journal(journal);
        spool.beforeWrite(journal);
        this.openedNanos = System.nanoTime();
    }

    /**
     * "kfr-000000012-": by hand, as String.format would load the JDK's locale data (about 1 MB
     * kept in the application's heap) for a zero-padded number.
     */
    static String prefix(long sequence) {
        StringBuilder b = new StringBuilder("kfr-");
        String digits = Long.toString(sequence);
        for (int i = digits.length(); i < SEQUENCE_DIGITS; i++) {
            b.append('0');
        }
        return b.append(digits).append('-').toString();
    }

    ConstantPools pools() {
        return pools;
    }

    boolean executionSamples() {
        return executionSamples;
    }

    void executionSamples(boolean yes) {
        if (yes && !executionSamples) {
            executionSamples = true;
            pools.executionSamples();
        }
    }

    void saw(long endNanos) {
        if (endNanos > newestEndNanos) {
            newestEndNanos = endNanos;
        }
    }

    long newestEndNanos() {
        return newestEndNanos;
    }

    /** Spool and journal bytes. */
    long bytes() {
        return spool.bytes() + journal.bytes();
    }

    /** No more records: what is buffered goes to disk, and the pools leave memory. */
    void closeForWriting() {
        spool.finish(); // flushes the journal first (beforeWrite)
        try {
            journal.finish();
        } catch (IOException ignored) {
            // the spool flushed the journal before its last write; what was not written is not referred to
        }
        pools = null;
    }

    boolean open() {
        return pools != null;
    }

    /** The pools of a chunk of this segment as they are now, read back from the journal. */
    ConstantPools.Snapshot snapshot(java.util.function.UnaryOperator<io.kfr.collectors.ThreadRef> threadNames)
            throws IOException {
        if (pools != null) {
            // the open segment's values are on disk too: only their keys stay in memory
            try {
                journal.flush();
            } catch (IOException e) {
                // a full disk: the spool's records on disk refer only to values written before them
            }
        }
        return PoolJournal.read(journal.file()).snapshot(threadNames);
    }

    void use() {
        users++;
    }

    /** Ends a use; deletes a dropped segment's files when it was the last. */
    void release() {
        users--;
        if (dropped && users == 0) {
            delete();
        }
    }

    /** Out of the window: deleted now, or after the chunk writes using it. */
    void drop() {
        dropped = true;
        pools = null;
        if (users == 0) {
            delete();
        }
    }

    void delete() {
        if (deleted) {
            return;
        }
        deleted = true;
        try {
            journal.close();
        } catch (IOException ignored) {
            // deleted below
        }
        try {
            Files.deleteIfExists(journal.file());
        } catch (IOException ignored) {
            // a leftover the next start removes
        }
        try {
            spool.close();
        } catch (IOException ignored) {
            // the same
        }
    }
}
