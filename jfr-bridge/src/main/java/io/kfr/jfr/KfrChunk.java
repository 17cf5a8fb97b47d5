package io.kfr.jfr;

import io.kfr.collectors.HeapShare;
import io.kfr.collectors.CollectorStatistics;
import io.kfr.collectors.CpuSample;
import io.kfr.collectors.OffCpuSample;
import io.kfr.collectors.StackTrace;
import io.kfr.collectors.ThreadRef;
import io.kfr.collectors.pt.PtHotPath;
import io.kfr.collectors.pt.PtSpan;
import io.kfr.collectors.workingset.PageCacheMiss;
import io.kfr.collectors.workingset.RecordedFile;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import java.util.function.UnaryOperator;

/**
 * Accumulates kfr's events and writes them as one JFR chunk. Thread-safe and append-only: events
 * are spooled to a temp file (memory holds only the deduplicated pools), and every
 * {@link #writeChunk} writes all events so far while adding continues.
 */
public final class KfrChunk implements AutoCloseable {
    /** The spool's bound (see EventSpool). */
    public static final long MAX_SPOOL_BYTES = EventSpool.MAX_BYTES;
    private final Object lock = new Object();
    /** Held shared by chunk writers, exclusively by close, so the spool outlives every write. */
    private final ReadWriteLock lifecycle = new ReentrantReadWriteLock();
    /** The spool's segments, oldest first; the last is the one being filled. */
    private final java.util.ArrayDeque<SpoolSegment> segments = new java.util.ArrayDeque<>();
    private SpoolSegment current;
    /** The pools of the segment being filled. */
    private ConstantPools pools;
    private EventSpool spool;
    private final Path spoolDir;
    private final long maxSpoolBytes;
    private final LongSupplier reserveBytes;
    private final SpoolRetention retention;
    private final JfrBuffer record = new JfrBuffer(128);
    private final SpoolWriter writer = new SpoolWriter();
    /** The events a new stack announces, written while {@link #writer} is making the keys of the event that has it. */
    private final SpoolWriter announcer = new SpoolWriter();
    /** Pool keys from the pools of the segment being filled. */
    private final SpoolWriter.Keys keys = new SpoolWriter.Keys() {
        /** The thread of the event before, in the pools it had its key from: a CPU sample's execution sample, a burst. */
        private ThreadRef lastThread;
        private ConstantPools lastPools;
        private int lastKey;

        @Override
        public int thread(ThreadRef thread) {
            if (thread != lastThread || pools != lastPools) {
                lastKey = pools.thread(thread);
                lastThread = thread;
                lastPools = pools;
            }
            return lastKey;
        }

        @Override
        public int string(String s) {
            return pools.string(s);
        }

        @Override
        public int stack(StackTrace stack, long epochNanos) {
            return KfrChunk.this.stack(stack, epochNanos);
        }
    };
    private final NativeImageEvents nativeImages = new NativeImageEvents();
    /** Events added, including those the spool refused. */
    private long eventCount;
    /** Records of segments dropped out of the window, and what their spools had refused. */
    private long droppedEvents;
    private long droppedRefused;
    /**
     * The most segments the window keeps, whatever maxage and maxsize allow: each closed one holds
     * ~0.5 kB of the application's heap, and stacks that never repeat fill a segment's pools (and
     * so close it) every second or so. At 32 MiB of heap 256 (~0.1 MB), from 1 GiB 4,096.
     */
    public static final int MAX_SEGMENTS = HeapShare.entries(4096, 256);
    /** Of {@link #droppedEvents}: those that left because of {@link #MAX_SEGMENTS}, before maxage or maxsize. */
    private long droppedForSegmentLimit;
    private int addsSinceRotationCheck;
    /** Buffered records are written at least this often (when events arrive). */
    private static final long FLUSH_NANOS = 1_000_000_000L;
    private long lastFlushNanos = System.nanoTime();
    /** Told once, when the spool stops taking events (full disk, bound reached). */
    private volatile Consumer<String> onSpoolStopped = why -> { };
    private boolean spoolStopTold;
    /** Some sample went in as jdk.ExecutionSample too: chunks declare that type from then on. */
    private boolean executionSamples;
    private boolean closed;
    private final UnaryOperator<ThreadRef> threadNames;
    private LongConsumer nextWrite;

    public KfrChunk(Path spoolDir) throws IOException {
        this(spoolDir, UnaryOperator.identity());
    }

    /**
     * @param threadNames applied to each thread when a chunk is written: a thread first seen under
     *        a provisional name is written with the name it got since (ThreadDirectory::settled)
     */
    public KfrChunk(Path spoolDir, UnaryOperator<ThreadRef> threadNames) throws IOException {
        this(spoolDir, threadNames, MAX_SPOOL_BYTES, null);
    }

    /**
     * With the spool's bound and the free space it leaves on its file system, asked before each
     * write; null: the default reserve, 64 MB or 5% (for java.io.tmpdir, where JFR keeps its repository).
     */
    public KfrChunk(Path spoolDir, UnaryOperator<ThreadRef> threadNames, long maxSpoolBytes, LongSupplier reserveBytes)
            throws IOException {
        this(spoolDir, threadNames, maxSpoolBytes, reserveBytes, SpoolRetention.DEFAULT);
    }

    /**
     * Keeping the window {@code retention} asks for (whole segments: see {@link SpoolRetention});
     * maxSpoolBytes stays the hard bound of everything kept.
     */
    public KfrChunk(Path spoolDir, UnaryOperator<ThreadRef> threadNames, long maxSpoolBytes, LongSupplier reserveBytes,
                    SpoolRetention retention) throws IOException {
        this.spoolDir = spoolDir;
        this.maxSpoolBytes = maxSpoolBytes;
        this.reserveBytes = reserveBytes;
        this.retention = retention;
        this.threadNames = threadNames;
        open(new SpoolSegment(spoolDir, 0, maxSpoolBytes, reserveBytes));
    }

    private void open(SpoolSegment s) {
        segments.addLast(s);
        current = s;
        pools = s.pools();
        nativeImages.forget(); // each segment names its own native images: an older one may leave the window
        spool = s.spool;
        spool.othersBytes(othersBytes());
        if (executionSamples) {
            s.executionSamples(true);
        }
    }

    /** Bytes of every segment but the current one. */
    private long othersBytes() {
        long sum = 0;
        for (SpoolSegment s : segments) {
            if (s != current) {
                sum += s.bytes();
            }
        }
        return sum;
    }

    /**
     * Before an event goes in (every 64 events, and before each chunk write): a full or old current
     * segment is closed and a new one opened; segments out of the window are dropped.
     */
    private void rotate(boolean now) {
        if (!now && ++addsSinceRotationCheck < 64) {
            return;
        }
        addsSinceRotationCheck = 0;
        long nanoTime = System.nanoTime();
        if (nanoTime - lastFlushNanos >= FLUSH_NANOS) {
            // on disk within about a second: what a killed JVM leaves is recoverable (kfr recover)
            lastFlushNanos = nanoTime;
            spool.flush();
        }
        // a stopped spool stays stopped (full disk, hard bound): its line said later events are lost
        if (spool.stopped() == null && spool.records() + spool.bytes() > 0
                && (current.bytes() >= retention.segmentBytes() || nanoTime - current.openedNanos >= retention.segmentNanos()
                        || current.pools().entries() >= ConstantPools.MAX_ENTRIES)) {
            SpoolSegment next;
            try {
                next = new SpoolSegment(spoolDir, current.sequence + 1, maxSpoolBytes, reserveBytes);
            } catch (IOException | RuntimeException e) {
                next = null; // the current segment goes on; its spool's checks say when it cannot
            }
            if (next != null) {
                current.closeForWriting();
                open(next);
            }
        }
        long oldest = System.currentTimeMillis() * 1_000_000L - retention.maxAgeNanos();
        long total = othersBytes() + current.bytes();
        while (segments.size() > 1) {
            SpoolSegment first = segments.peekFirst();
            boolean inWindow = total <= retention.maxBytes() && first.newestEndNanos() >= oldest;
            if (inWindow && segments.size() <= MAX_SEGMENTS) {
                break;
            }
            segments.removeFirst();
            total -= first.bytes();
            droppedEvents += first.spool.records();
            if (inWindow) {
                droppedForSegmentLimit += first.spool.records();
            }
            droppedRefused += first.spool.refused();
            first.drop();
        }
        spool.othersBytes(total - current.bytes());
    }

    /** Events dropped with the segments that left the window (maxsize, maxage): not lost, aged out as asked. */
    public long eventsOutOfWindow() {
        synchronized (lock) {
            return droppedEvents;
        }
    }

    /**
     * Events that left the window before maxage or maxsize asked, because it held
     * {@link #MAX_SEGMENTS} segments (said in the lines that say what was lost).
     */
    public long eventsDroppedForSegmentLimit() {
        synchronized (lock) {
            return droppedForSegmentLimit;
        }
    }

    /** Segments kept now (for tests and status). */
    public int segments() {
        synchronized (lock) {
            return segments.size();
        }
    }

    /**
     * Never fails on a full disk: the spool then stops and the event is counted as lost.
     * @return the event's number: events numbered up to {@link #onNextWrite}'s value are in that chunk
     */
    public long addOffCpu(OffCpuSample s) {
        return add(KfrEventTypes.OFF_CPU, s);
    }

    /**
     * Adds a kfr.CpuSample event and, with {@code asExecutionSample}, the same sample as a
     * jdk.ExecutionSample event (state STATE_RUNNABLE), which JMC's Method Profiling page and
     * everything else that reads the JVM's samples show. Best used only while the JVM's own
     * sampler is off, or those views count the same CPU time twice.
     * Never fails on a full disk: the spool then stops and the event is counted as lost.
     * @return the kfr.CpuSample event's number (see {@link #addOffCpu})
     */
    public long addCpuSample(CpuSample s, boolean asExecutionSample) {
        synchronized (lock) {
            ensureOpen();
            rotate(false);
            spool(KfrEventTypes.CPU_SAMPLE, s);
            long number = eventCount;
            if (asExecutionSample) {
                executionSamples = true; // before the record: a declared type without events is valid, not the reverse
                current.executionSamples(true);
                spool(KfrEventTypes.EXECUTION_SAMPLE, s);
            }
            return number;
        }
    }

    /** A kfr.PageCacheMiss event. Never fails on a full disk: the spool then stops and the event is counted as lost. */
    public void addPageCacheMiss(PageCacheMiss m) {
        add(KfrEventTypes.PAGE_CACHE_MISS, m);
    }

    /** A kfr.WorkingSet event for one file of the set. Never fails on a full disk (see above). */
    public void addWorkingSetFile(RecordedFile f, long epochNanos) {
        add(KfrEventTypes.WORKING_SET, new EventRecords.FileAt(f, epochNanos));
    }

    /**
     * A kfr.HotPath event: one path of a PT snapshot of {@code thread}, from startEpochNanos for
     * durationNanos. Never fails on a full disk (see above).
     */
    public void addHotPath(ThreadRef thread, PtHotPath p, long startEpochNanos, long durationNanos, String reason,
                           long snapshot) {
        add(KfrEventTypes.HOT_PATH, new EventRecords.HotPathAt(thread, p, startEpochNanos, durationNanos, reason, snapshot));
    }

    /** A kfr.PtSpan event: one call of a PT snapshot of {@code thread}. Never fails on a full disk (see above). */
    public void addPtSpan(ThreadRef thread, PtSpan s, long startEpochNanos, long durationNanos, long snapshot) {
        add(KfrEventTypes.PT_SPAN, new EventRecords.SpanAt(thread, s, startEpochNanos, durationNanos, snapshot));
    }

    /** Never fails on a full disk: the spool then stops and the event is counted as lost. */
    public void addStatistics(CollectorStatistics s) {
        add(KfrEventTypes.COLLECTOR_STATISTICS, s);
    }

    /** Any event, as its declaration says; its number (see {@link #addOffCpu}). */
    private <R> long add(EventType<R> type, R event) {
        synchronized (lock) {
            ensureOpen();
            rotate(false);
            spool(type, event);
            return eventCount;
        }
    }

    /** One event into the segment being filled; under the lock, after {@link #rotate}. */
    private <R> void spool(EventType<R> type, R event) {
        current.saw(writer.write(type, event, keys, record));
        append();
    }

    /** Events in the spool's window: a CPU sample added as an execution sample counts twice. */
    public long eventCount() {
        synchronized (lock) {
            return eventCount - refused() - droppedEvents;
        }
    }

    /** Events the spool refused or dropped after it stopped (they are in no chunk). */
    public long eventsLost() {
        synchronized (lock) {
            return refused();
        }
    }

    private long refused() {
        long sum = droppedRefused;
        for (SpoolSegment s : segments) {
            sum += s.spool.refused();
        }
        return sum;
    }

    /** Why the spool stopped taking events, or null. */
    public String spoolStopped() {
        synchronized (lock) {
            return spool.stopped();
        }
    }

    /**
     * {@code lastEvent} is told, once, the number of the last event the next written chunk holds, at
     * the moment its events are taken (while adding waits): what else must end where the chunk ends
     * (the rotated export's last period) can keep exactly the same events.
     */
    public void onNextWrite(LongConsumer lastEvent) {
        synchronized (lock) {
            nextWrite = lastEvent;
        }
    }

    /** Called once, on the adding thread, with one line when the spool stops taking events. */
    public void onSpoolStopped(Consumer<String> callback) {
        onSpoolStopped = callback;
    }

    /**
     * Writes one complete chunk with every event so far, in the given time base (use the JVM
     * chunk's: the JDK 25 reader converts all chunks with the first chunk's base). Repeatable; with
     * no events it still writes a valid chunk that declares kfr's event types.
     */
    public void writeChunk(OutputStream out, TimeBase tb) throws IOException {
        writeChunk(out, tb, ChunkWriter.Limits.DEFAULT);
    }

    void writeChunk(OutputStream out, TimeBase tb, ChunkWriter.Limits limits) throws IOException {
        lifecycle.readLock().lock();
        try {
            List<SpoolSegment> kept = new ArrayList<>();
            List<long[]> extents = new ArrayList<>(); // bytes, records of each, at this moment
            ConstantPools.Snapshot currentPools;
            synchronized (lock) {
                if (closed) {
                    throw new IOException("KfrChunk is closed");
                }
                rotate(true);
                for (SpoolSegment s : segments) {
                    long bytes = s.spool.flush();
                    if (s.spool.records() == 0 && s != current) {
                        continue;
                    }
                    s.use();
                    kept.add(s);
                    extents.add(new long[] {bytes, s.spool.records()});
                }
                currentPools = current.snapshot(threadNames);
                tellIfStopped();
                if (nextWrite != null) {
                    LongConsumer told = nextWrite;
                    nextWrite = null;
                    told.accept(eventCount);
                }
            }
            try {
                // one chunk per segment, each with its own pools: a file is a sequence of chunks
                java.util.Set<Long> starts = new java.util.HashSet<>();
                for (int i = 0; i < kept.size(); i++) {
                    SpoolSegment s = kept.get(i);
                    // the last was the segment being filled: its pools as they were at that moment
                    ConstantPools.Snapshot p = i == kept.size() - 1 ? currentPools : s.snapshot(threadNames);
                    ChunkWriter.write(out, tb, new ChunkWriter.Contents(s.types, s.spool, extents.get(i)[0],
                            extents.get(i)[1], p, s.executionSamples()), limits, starts);
                }
            } finally {
                synchronized (lock) {
                    for (SpoolSegment s : kept) {
                        s.release();
                    }
                }
            }
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    /** Deletes the spool; waits for chunk writes in progress. */
    @Override
    public void close() {
        lifecycle.writeLock().lock();
        try {
            synchronized (lock) {
                if (closed) {
                    return;
                }
                closed = true;
                for (SpoolSegment s : segments) {
                    s.delete();
                }
                segments.clear();
            }
        } finally {
            lifecycle.writeLock().unlock();
        }
    }

    /** The stack's pool key; a new stack first announces its native images and functions not yet in the spool. */
    private int stack(StackTrace s, long epochNanos) {
        int before = pools.stackCount();
        int key = pools.stack(s);
        if (pools.stackCount() != before) {
            nativeImages.announce(s, epochNanos, this::announced);
        }
        return key;
    }

    /** A kfr.NativeImage or kfr.NativeSymbol event, spooled while another event's stack is made a key. */
    private <R> void announced(EventType<R> type, R event) {
        announcer.write(type, event, keys, record);
        append();
    }

    private void append() {
        eventCount++;
        if (!spool.append(record)) {
            tellIfStopped();
        }
    }

    private void tellIfStopped() {
        if (!spoolStopTold && spool.stopped() != null) {
            spoolStopTold = true;
            try {
                onSpoolStopped.accept(spool.stopped());
            } catch (RuntimeException ignored) {
                // the caller's logging: the state stays readable through spoolStopped()
            }
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("KfrChunk is closed");
        }
    }
}
