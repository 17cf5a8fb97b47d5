package io.kfr.jfr;

import io.kfr.collectors.CollectorStatistics;
import io.kfr.collectors.CpuSample;
import io.kfr.collectors.OffCpuSample;
import io.kfr.collectors.OffCpuState;
import io.kfr.collectors.StackTrace;
import io.kfr.collectors.ThreadRef;
import io.kfr.collectors.workingset.PageCacheMiss;
import io.kfr.collectors.workingset.RecordedFile;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
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
    private final KfrTypes types = KfrTypes.next();
    private final ConstantPools pools = new ConstantPools();
    private final EventSpool spool;
    private final JfrBuffer record = new JfrBuffer(128);
    private final NativeImageEvents nativeImages = new NativeImageEvents();
    /** Events added, including those the spool refused. */
    private long eventCount;
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
        spool = new EventSpool(spoolDir, maxSpoolBytes, reserveBytes);
        this.threadNames = threadNames;
    }

    /**
     * Never fails on a full disk: the spool then stops and the event is counted as lost.
     * @return the event's number: events numbered up to {@link #onNextWrite}'s value are in that chunk
     */
    public long addOffCpu(OffCpuSample s) {
        synchronized (lock) {
            ensureOpen();
            OffCpuState state = s.state() == null ? OffCpuState.OTHER : s.state();
            int stack = stack(s.stack(), s.startEpochNanos());
            int wakerStack = s.waker() == null ? 0 : stack(s.waker().stack(), s.startEpochNanos());
            record.reset();
            EventEncoder.spoolOffCpu(record, pools.thread(s.thread()), stack, s.startEpochNanos(),
                    s.durationNanos(), pools.string(state.name()), pools.string(describe(state)),
                    pools.string(syscall(s)), s.count(), s.aggregated(),
                    s.waker() == null ? 0 : pools.thread(s.waker().thread()),
                    wakerStack,
                    s.waker() == null ? 0 : pools.string(s.waker().kind()));
            append();
            return eventCount;
        }
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
            int thread = pools.thread(s.thread());
            int stack = stack(s.stack(), s.epochNanos());
            record.reset();
            EventEncoder.spoolCpuSample(record, thread, stack, s.epochNanos(), s.cpu(), s.weightNanos());
            append();
            long number = eventCount;
            if (asExecutionSample) {
                executionSamples = true; // before the record: a declared type without events is valid, not the reverse
                record.reset();
                EventEncoder.spoolExecutionSample(record, thread, stack, s.epochNanos());
                append();
            }
            return number;
        }
    }

    /** A kfr.PageCacheMiss event. Never fails on a full disk: the spool then stops and the event is counted as lost. */
    public void addPageCacheMiss(PageCacheMiss m) {
        synchronized (lock) {
            ensureOpen();
            int stack = stack(m.stack(), m.epochNanos());
            record.reset();
            EventEncoder.spoolPageCacheMiss(record, pools.thread(m.thread()), stack, m.epochNanos(), m.waitNanos(),
                    pools.string(m.file()), m.offset(), m.pages());
            append();
        }
    }

    /** A kfr.WorkingSet event for one file of the set. Never fails on a full disk (see above). */
    public void addWorkingSetFile(RecordedFile f, long epochNanos) {
        synchronized (lock) {
            ensureOpen();
            record.reset();
            EventEncoder.spoolWorkingSet(record, epochNanos, pools.string(f.set().path()), f.set().pages(), f.set().bytes(),
                    f.missedPages(), f.missedShare(), f.waits(), f.waitNanos());
            append();
        }
    }

    /** Never fails on a full disk: the spool then stops and the event is counted as lost. */
    public void addStatistics(CollectorStatistics s) {
        synchronized (lock) {
            ensureOpen();
            record.reset();
            EventEncoder.spoolStatistics(record, pools.string(s.collector()), s, pools.string(s.javaFramesSelfTest()));
            append();
        }
    }

    /** Events in the spool: a CPU sample added as an execution sample counts twice. */
    public long eventCount() {
        synchronized (lock) {
            return eventCount - spool.refused();
        }
    }

    /** Events the spool refused or dropped after it stopped (they are in no chunk). */
    public long eventsLost() {
        synchronized (lock) {
            return spool.refused();
        }
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
            ChunkWriter.Contents contents;
            synchronized (lock) {
                if (closed) {
                    throw new IOException("KfrChunk is closed");
                }
                long bytes = spool.flush();
                contents = new ChunkWriter.Contents(types, spool, bytes, spool.records(), pools.snapshot(threadNames),
                        executionSamples);
                tellIfStopped();
                if (nextWrite != null) {
                    LongConsumer told = nextWrite;
                    nextWrite = null;
                    told.accept(eventCount);
                }
            }
            ChunkWriter.write(out, tb, contents, limits);
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
                try {
                    spool.close();
                } catch (IOException e) {
                    throw new UncheckedIOException("could not delete kfr spool " + spool.file(), e);
                }
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
            nativeImages.announce(s, epochNanos, pools, record, this::append);
        }
        return key;
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

    static String describe(OffCpuState state) {
        switch (state) {
            case S:
                return "Sleeping (interruptible wait: sleep, park, futex, socket)";
            case D:
                return "Uninterruptible wait (usually disk I/O or a page fault)";
            case R:
                return "Preempted (runnable, waiting for a CPU)";
            case OTHER:
                return "Other (idle, stopped or traced)";
            default:
                throw new IllegalArgumentException(String.valueOf(state));
        }
    }

    /** The syscall's name; its number when only that is known; null when not in a syscall. */
    private static String syscall(OffCpuSample s) {
        if (s.syscallName() != null && !s.syscallName().isEmpty()) {
            return s.syscallName();
        }
        return s.syscall() >= 0 ? "syscall#" + s.syscall() : null;
    }
}
