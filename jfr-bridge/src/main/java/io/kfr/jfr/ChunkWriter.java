package io.kfr.jfr;

import io.kfr.collectors.natives.Buffers;
import io.kfr.collectors.natives.OffHeap;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Arrays;
import java.util.Objects;

/**
 * Writes one self-contained chunk: header, events, one checkpoint event with every constant pool,
 * the metadata event. The header comes first but needs the sizes, so the spooled events are
 * encoded twice: once to measure, once to write (cheaper than holding or copying them).
 * <p>
 * Events are written ordered by end time (start + duration; equal ends in spool order), whatever
 * their order in the spool, which is out of order by nature (intervals arrive at switch-in,
 * aggregated samples, starting at their drain period's start, at the end of each period). JMC's
 * parser needs that (internal.util.DisjointBuilder, JMC 9.1): it sorts a duration type's events
 * into lanes kept in descending end order, and its binary search over lane ends stops at any lane
 * whose end equals the searched time, which is not always the right one. When two events end at
 * the same tick, a lane can then be moved into the wrong place and later overwrite another lane:
 * events are lost or counted twice. Out of order input alone is harmless, and start order does not
 * help (it fails more often than spool order once end times repeat). In end order every new end is
 * at or after every lane's end, so that search always answers lane 0, which is right: no loss
 * whatever repeats. It is also the order in which the JVM commits duration events.
 * <p>
 * Memory: pass 1 reads the spool sequentially into a {@link SpoolIndex}: {@value
 * SpoolIndex#BYTES_PER_EVENT} bytes per event (2 million events: 32 MB), sorted in place, off the
 * application's heap. Pass 2 fetches the records in that order, batch by batch, through fixed
 * buffers: {@value #BATCH_BYTES} bytes of records and {@value #READ_BYTES} bytes to read into, off
 * the heap too, and two arrays of {@value #DEFAULT_BATCH_EVENTS} entries (long, int) on the heap:
 * 768 kB of the application's heap while a chunk is written (a JVM at exit with a nearly full
 * small heap must not fail on kfr's account). A batch's records are read in
 * spool order with positional reads, neighbours less than {@value #MAX_GAP} bytes apart in one
 * read, so a nearly sorted spool is read nearly sequentially (and a shuffled one about once per
 * batch). Nothing is held between chunks.
 */
final class ChunkWriter {
    private static final int FLUSH_AT = 64 * 1024;
    static final int BATCH_BYTES = 4 * 1024 * 1024;
    /** Batch keys pack spool offset and position in the batch: a batch has at most 2^17 events. */
    private static final int POSITION_BITS = 17;
    private static final long POSITION_MASK = (1L << POSITION_BITS) - 1;
    static final int BATCH_EVENTS = 1 << POSITION_BITS;
    /** Events per batch by default: 64k of ~30 bytes fill about half of the records buffer. */
    static final int DEFAULT_BATCH_EVENTS = 1 << 16;
    static final int READ_BYTES = 256 * 1024;
    static final int MAX_GAP = 4 * 1024;
    private static final long MAX_SPOOL_BYTES = 1L << (63 - POSITION_BITS);

    /**
     * What one chunk holds: the spool's first {@code spoolBytes}, which are {@code eventCount}
     * records, and the pools of that moment; {@code executionSamples}: some of the records are
     * jdk.ExecutionSample events, so the chunk declares that type and its thread states.
     */
    static final class Contents {
        private final KfrTypes types;
        private final EventSpool spool;
        private final long spoolBytes;
        private final long eventCount;
        private final ConstantPools.Snapshot pools;
        private final boolean executionSamples;

        Contents(KfrTypes types, EventSpool spool, long spoolBytes, long eventCount, ConstantPools.Snapshot pools,
                boolean executionSamples) {
            this.types = types;
            this.spool = spool;
            this.spoolBytes = spoolBytes;
            this.eventCount = eventCount;
            this.pools = pools;
            this.executionSamples = executionSamples;
        }

        public KfrTypes types() {
            return types;
        }

        public EventSpool spool() {
            return spool;
        }

        public long spoolBytes() {
            return spoolBytes;
        }

        public long eventCount() {
            return eventCount;
        }

        public ConstantPools.Snapshot pools() {
            return pools;
        }

        public boolean executionSamples() {
            return executionSamples;
        }

        @Override
        public boolean equals(Object other) {
            if (this == other) {
                return true;
            }
            if (!(other instanceof Contents)) {
                return false;
            }
            Contents o = (Contents) other;
            return Objects.equals(types, o.types) && Objects.equals(spool, o.spool) && spoolBytes == o.spoolBytes
                    && eventCount == o.eventCount && Objects.equals(pools, o.pools)
                    && executionSamples == o.executionSamples;
        }

        @Override
        public int hashCode() {
            int h = 0;
            h = 31 * h + Objects.hashCode(types);
            h = 31 * h + Objects.hashCode(spool);
            h = 31 * h + Long.hashCode(spoolBytes);
            h = 31 * h + Long.hashCode(eventCount);
            h = 31 * h + Objects.hashCode(pools);
            h = 31 * h + Boolean.hashCode(executionSamples);
            return h;
        }

        @Override
        public String toString() {
            return "Contents[types=" + types + ", spool=" + spool + ", spoolBytes=" + spoolBytes
                    + ", eventCount=" + eventCount + ", pools=" + pools
                    + ", executionSamples=" + executionSamples + "]";
        }
    }

    /** Pass 2's buffer sizes; tests make them tiny to force many batches and reads. */
    static final class Limits {
        private final int batchBytes;
        private final int batchEvents;
        private final int readBytes;
        private final int maxGap;

        public int batchBytes() {
            return batchBytes;
        }

        public int batchEvents() {
            return batchEvents;
        }

        public int readBytes() {
            return readBytes;
        }

        public int maxGap() {
            return maxGap;
        }

        @Override
        public boolean equals(Object other) {
            if (this == other) {
                return true;
            }
            if (!(other instanceof Limits)) {
                return false;
            }
            Limits o = (Limits) other;
            return batchBytes == o.batchBytes && batchEvents == o.batchEvents && readBytes == o.readBytes
                    && maxGap == o.maxGap;
        }

        @Override
        public int hashCode() {
            int h = 0;
            h = 31 * h + Integer.hashCode(batchBytes);
            h = 31 * h + Integer.hashCode(batchEvents);
            h = 31 * h + Integer.hashCode(readBytes);
            h = 31 * h + Integer.hashCode(maxGap);
            return h;
        }

        @Override
        public String toString() {
            return "Limits[batchBytes=" + batchBytes + ", batchEvents=" + batchEvents + ", readBytes=" + readBytes
                    + ", maxGap=" + maxGap + "]";
        }

        static final Limits DEFAULT = new Limits(BATCH_BYTES, DEFAULT_BATCH_EVENTS, READ_BYTES, MAX_GAP);

        Limits(int batchBytes, int batchEvents, int readBytes, int maxGap) {
            if (batchBytes < SpoolIndex.MAX_RECORD_BYTES || readBytes < SpoolIndex.MAX_RECORD_BYTES
                    || batchEvents < 1 || batchEvents > BATCH_EVENTS || maxGap < 0) {
                throw new IllegalArgumentException(toString());
            }
            this.batchBytes = batchBytes;
            this.batchEvents = batchEvents;
            this.readBytes = readBytes;
            this.maxGap = maxGap;
        }
    }

    private ChunkWriter() {
    }

    static void write(OutputStream out, TimeBase tb, Contents contents) throws IOException {
        write(out, tb, contents, Limits.DEFAULT, new java.util.HashSet<>());
    }

    static void write(OutputStream out, TimeBase tb, Contents contents, Limits limits) throws IOException {
        write(out, tb, contents, limits, new java.util.HashSet<>());
    }

    /**
     * @param startsTaken the start times (epoch ns) of the chunks already written to this file; this
     *        chunk's is added. JMC loads one chunk per start time, and two segments can begin at the
     *        same event time (a segment rolled while intervals of one start were delivered)
     */
    static void write(OutputStream out, TimeBase tb, Contents contents, Limits limits, java.util.Set<Long> startsTaken)
            throws IOException {
        // Pass 1: size of the events, the latest end time (for the header's duration), and when
        // each record ends and where it is in the spool.
        if (contents.eventCount() > Integer.MAX_VALUE - 8 || contents.spoolBytes() >= MAX_SPOOL_BYTES) {
            throw new IOException("kfr spool too large for one chunk (" + contents.eventCount() + " events, "
                    + contents.spoolBytes() + " bytes)");
        }
        try (SpoolIndex index = new SpoolIndex((int) contents.eventCount())) {
            write(out, tb, contents, limits, index, startsTaken);
        }
    }

    private static void write(OutputStream out, TimeBase tb, Contents contents, Limits limits, SpoolIndex index,
                              java.util.Set<Long> startsTaken) throws IOException {
        EventEncoder measure = new EventEncoder(tb);
        JfrBuffer buf = new JfrBuffer(FLUSH_AT + 1024);
        long eventBytes = 0;
        try (EventSpool.Reader in = contents.spool().reader(contents.spoolBytes())) {
            while (!in.atEnd()) {
                long offset = in.position();
                buf.reset();
                measure.encodeNext(in, buf);
                eventBytes += buf.size();
                int length = (int) (in.position() - offset);
                if (index.size() == index.capacity() || length > SpoolIndex.MAX_RECORD_BYTES) {
                    throw new IOException("corrupt kfr spool: more than " + index.capacity()
                            + " records, or a record of " + length + " bytes at " + offset);
                }
                index.add(measure.lastEndNanos(), offset, length);
            }
        }
        if (index.size() != index.capacity()) {
            throw new IOException("corrupt kfr spool: " + index.size() + " records, " + index.capacity() + " expected");
        }
        index.sort();

        // The chunk's own start: at its first event, on the JVM chunk's clock (see TimeBase.rebasedNear).
        TimeBase chunkBase = tb.rebasedNear(measure.minStartNanos() == Long.MAX_VALUE ? tb.startNanos() : measure.minStartNanos());
        while (!startsTaken.add(chunkBase.startNanos())) {
            chunkBase = tb.rebasedNear(chunkBase.startNanos() - 1); // one tick earlier: still before every event
        }
        JfrBuffer checkpoint = checkpointEvent(chunkBase, contents);
        JfrBuffer metadata = metadataEvent(chunkBase, contents.types(), contents.executionSamples());
        long cpOffset = ChunkLayout.HEADER_SIZE + eventBytes;
        long mdOffset = cpOffset + checkpoint.size();
        long chunkSize = mdOffset + metadata.size();
        long duration = measure.maxEndNanos() == Long.MIN_VALUE ? 0 : Math.max(0, measure.maxEndNanos() - chunkBase.startNanos());

        JfrBuffer header = new JfrBuffer(ChunkLayout.HEADER_SIZE);
        ChunkLayout.writeHeader(header, chunkSize, cpOffset, mdOffset, chunkBase.startNanos(), duration,
                chunkBase.startTicks(), chunkBase.ticksPerSecond());
        header.writeTo(out);

        // Pass 2: the same events again, in end-time order, now written.
        EventEncoder encoder = new EventEncoder(tb);
        long written = 0;
        buf.reset();
        if (index.size() > 0) {
            try (FileChannel ch = contents.spool().openChannel(); Batches batches = new Batches(ch, index, limits)) {
                EventSpool.Reader in = EventSpool.Reader.of(batches.records);
                for (int from = 0; from < index.size(); ) {
                    int to = batches.load(from);
                    in.wrap(batches.size);
                    for (int i = from; i < to; i++) {
                        long before = in.position();
                        encoder.encodeNext(in, buf);
                        if (in.position() - before != index.length(i) || encoder.lastEndNanos() != index.end(i)) {
                            throw new IOException("kfr spool changed while writing a chunk (record at " + index.offset(i) + ")");
                        }
                        if (buf.size() >= FLUSH_AT) {
                            written += buf.size();
                            buf.writeTo(out);
                            buf.reset();
                        }
                    }
                    from = to;
                }
            }
        }
        written += buf.size();
        buf.writeTo(out);
        if (written != eventBytes) {
            throw new IOException("kfr spool changed while writing a chunk (" + written + " != " + eventBytes + " bytes)");
        }
        checkpoint.writeTo(out);
        metadata.writeTo(out);
    }

    /**
     * Loads the records of consecutive index entries into {@link #records}, in index order: reads
     * them in spool order, neighbours with one positional read.
     */
    private static final class Batches implements AutoCloseable {
        private final FileChannel ch;
        private final SpoolIndex index;
        private final int maxGap;
        final ByteBuffer records;
        int size;
        /** Spool offset &lt;&lt; POSITION_BITS | position in the batch, sorted to read in spool order. */
        private final long[] keys;
        /** Where each record of the batch goes in {@link #records}. */
        private final int[] destinations;
        private final ByteBuffer read;

        Batches(FileChannel ch, SpoolIndex index, Limits limits) {
            this.ch = ch;
            this.index = index;
            this.maxGap = limits.maxGap();
            records = OffHeap.allocate(limits.batchBytes());
            keys = new long[limits.batchEvents()];
            destinations = new int[limits.batchEvents()];
            read = OffHeap.allocate(limits.readBytes());
        }

        @Override
        public void close() {
            OffHeap.free(records);
            OffHeap.free(read);
        }

        /** Loads the records of entries from, from + 1, ... as many as fit; returns the end. */
        int load(int from) throws IOException {
            int count = 0;
            size = 0;
            int i = from;
            while (i < index.size() && count < keys.length && size + index.length(i) <= records.capacity()) {
                destinations[count] = size;
                keys[count] = index.offset(i) << POSITION_BITS | count;
                size += index.length(i);
                count++;
                i++;
            }
            Arrays.sort(keys, 0, count);
            for (int k = 0; k < count; ) {
                long first = keys[k] >>> POSITION_BITS;
                long end = first + index.length(from + (int) (keys[k] & POSITION_MASK));
                int m = k + 1;
                while (m < count) {
                    long offset = keys[m] >>> POSITION_BITS;
                    long recordEnd = offset + index.length(from + (int) (keys[m] & POSITION_MASK));
                    if (offset - end >= maxGap || recordEnd - first > read.capacity()) {
                        break;
                    }
                    end = recordEnd;
                    m++;
                }
                read.clear().limit((int) (end - first));
                EventSpool.readFully(ch, read, first);
                for (; k < m; k++) {
                    int position = (int) (keys[k] & POSITION_MASK);
                    Buffers.put(records, destinations[position], read, (int) ((keys[k] >>> POSITION_BITS) - first),
                            index.length(from + position));
                }
            }
            return i;
        }
    }

    /**
     * One checkpoint holding every pool. Delta to the next checkpoint 0 ends the chain; type flags 0
     * (not a flush, not the chunk-header pool).
     */
    private static JfrBuffer checkpointEvent(TimeBase tb, Contents contents) {
        JfrBuffer body = new JfrBuffer(64 * 1024);
        body.writeVarLong(ChunkLayout.CHECKPOINT_EVENT);
        body.writeVarLong(tb.startTicks());
        body.writeVarLong(0); // duration
        body.writeVarLong(0); // delta to the next checkpoint
        body.writeByte(0); // checkpoint type flags
        contents.pools().writePools(body, contents.types(), contents.executionSamples());
        return new JfrBuffer(body.size() + 8).writeSizedEvent(body);
    }

    private static JfrBuffer metadataEvent(TimeBase tb, KfrTypes types, boolean executionSamples) {
        JfrBuffer body = new JfrBuffer(16 * 1024);
        body.writeVarLong(ChunkLayout.METADATA_EVENT);
        body.writeVarLong(tb.startTicks());
        body.writeVarLong(0); // duration
        body.writeVarLong(types.metadataId(executionSamples));
        types.metadata(executionSamples).writeBody(body);
        return new JfrBuffer(body.size() + 8).writeSizedEvent(body);
    }
}
