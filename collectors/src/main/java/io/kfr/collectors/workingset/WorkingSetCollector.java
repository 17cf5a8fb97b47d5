package io.kfr.collectors.workingset;

import io.kfr.collectors.Clocks;
import io.kfr.collectors.Collector;
import io.kfr.collectors.CollectorCounters;
import io.kfr.collectors.CollectorException;
import io.kfr.collectors.CollectorStatistics;
import io.kfr.collectors.CollectorWorker;
import io.kfr.collectors.RunningCollector;
import io.kfr.collectors.Tids;
import io.kfr.collectors.hotspot.JavaWalkCounters;
import io.kfr.collectors.natives.NativeLibrary;
import io.kfr.collectors.offcpu.JavaFramesSelfTest;
import io.kfr.collectors.stacks.StackResolver;
import io.kfr.collectors.symbols.SharedSymbols;
import io.kfr.collectors.threads.ThreadDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The working-set collector ({@code workingset=<file>}): everything on its own thread, so that
 * premain returns at once. At start it prefetches the set recorded last time on a thread of its
 * own (left out of the recording), takes the pages this JVM touched before the agent ran from its
 * page tables, and loads the BPF programs; until the window ends it delivers each page-cache miss
 * (with how long the thread then waited); at the window's end (or at stop, if sooner) it saves the
 * new set atomically, delivers each file of it, and detaches.
 * <p>
 * Misses of Java threads carry their Java stacks if Java frames pass the start-up self-test
 * ({@link JavaFramesSelfTest}, run on a thread of its own so that recording starts at once; the
 * stacks are walked from the first miss, and misses are held until the verdict).
 */
public final class WorkingSetCollector implements Collector {
    private static final long PERIOD_NANOS = 1_000_000_000L;
    /** A miss with no wait after it for this long is delivered without one (and its thread named while it lives). */
    private static final long PENDING_NANOS = 1_000_000_000L;
    /**
     * How the prefetch at premain reads the set (PrefetchMethod's names; default fadvise: it starts
     * every read and returns). A system property, for measuring the methods (ColdStartBench).
     */
    static final String PREFETCH_METHOD_PROPERTY = "kfr.workingset.prefetch";

    private final Path file;
    private final long windowNanos;
    private final int pid;
    private final ThreadDirectory threads;
    private final WorkingSetListener listener;
    private final Object wakeLock = new Object();
    /** The recorder is not closed while the self-test's thread turns Java stacks off. */
    private final Object closeLock = new Object();
    private final AtomicInteger prefetchTid = new AtomicInteger();
    /** Each thread's last miss, until its wait is known (or its next miss shows there was none). */
    private final Map<Integer, WorkingSetRecords.Miss> pending = new HashMap<>();
    private volatile WorkingSetRecorder recorder;
    private volatile boolean saved;
    /** Java frames' self-test: 0 no verdict yet (misses are held), 1 passed, -1 failed or no walker. */
    private volatile int javaVerdict;
    /** Misses (with their waits) held until the self-test's verdict. */
    private final List<HeldMiss> held = new ArrayList<>();
    /** Made at the first miss: a warm start may have none, and kallsyms and the ELF tables cost a few hundred ms of CPU. */
    private StackResolver stacks;
    /** stacks names Java frames (from the poll after the verdict on). */
    private boolean namesJava;
    private Map<String, List<PageRange>> before = Map.of();
    private long windowEnd;
    /** When recording began: files modified since are this JVM's own output, left out of the set. */
    private long startedEpochNanos;
    private volatile boolean saveRequested;
    private long[] counters = new long[WorkingSetRecords.STAT_LEN];

    private WorkingSetCollector(Path file, long windowNanos, int pid, ThreadDirectory threads,
            WorkingSetListener listener) {
        this.file = file;
        this.windowNanos = windowNanos;
        this.pid = pid;
        this.threads = threads;
        this.listener = listener;
    }

    /** The running collector and its handle for {@link #save}. */
    public static final class Started {
        private final RunningCollector running;
        private final WorkingSetCollector collector;

        public Started(RunningCollector running, WorkingSetCollector collector) {
            this.running = running;
            this.collector = collector;
        }

        public RunningCollector running() {
            return running;
        }

        public WorkingSetCollector collector() {
            return collector;
        }

        @Override
        public boolean equals(Object other) {
            if (this == other) {
                return true;
            }
            if (!(other instanceof Started)) {
                return false;
            }
            Started o = (Started) other;
            return Objects.equals(running, o.running) && Objects.equals(collector, o.collector);
        }

        @Override
        public int hashCode() {
            int h = 0;
            h = 31 * h + Objects.hashCode(running);
            h = 31 * h + Objects.hashCode(collector);
            return h;
        }

        @Override
        public String toString() {
            return "Started[running=" + running + ", collector=" + collector + "]";
        }
    }

    /** Starts the collector's thread; returns at once (the programs load on that thread). */
    public static Started start(Path file, long windowNanos, ThreadDirectory threads, WorkingSetListener listener)
            throws CollectorException {
        String why = NativeLibrary.load();
        if (why != null) {
            throw new CollectorException("workingset: " + why);
        }
        Path dir = file.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir) || !Files.isWritable(dir)) {
            throw new CollectorException("workingset: cannot write " + file + " (its directory is missing or not writable)");
        }
        WorkingSetCollector c = new WorkingSetCollector(file, windowNanos, (int) ProcessHandle.current().pid(), threads, listener);
        CollectorWorker worker = CollectorWorker.start("kfr-workingset");
        worker.run(c, listener, threads);
        return new Started(worker, c);
    }

    /** Ends the window now: the set is saved at the next poll ({@code kfr workingset save}). */
    public void save() {
        saveRequested = true;
        wake();
    }

    @Override
    public String name() {
        return "workingset";
    }

    @Override
    public long periodNanos() {
        return PERIOD_NANOS;
    }

    @Override
    public void start() {
        startedEpochNanos = Clocks.nowEpochNanos();
        try {
            before = MappedPages.ofThisProcess();
        } catch (IOException e) {
            before = Map.of(); // no page tables to read: the set holds what the programs see
        }
        Thread prefetch = startPrefetch();
        try {
            recorder = WorkingSetRecorder.start(pid);
            if (prefetch != null) {
                recorder.excludeThread(awaitPrefetchTid());
            }
        } catch (CollectorException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        startJavaFrames();
        windowEnd = System.nanoTime() + windowNanos;
    }

    /**
     * On a thread of its own, so that recording starts at once: replaces the programs by ones with
     * the Java walker (its verification takes a second or more: loading it first would leave the
     * reads of that time out of the set), then runs the Java frames' self-test. Misses are held
     * until its verdict, then delivered with their Java frames if it passed (without them, and no
     * more walks, if it failed); the misses before the walker ran have none.
     */
    private void startJavaFrames() {
        WorkingSetRecorder r = recorder;
        Thread t = new Thread(() -> {
            boolean passed;
            try {
                passed = r.loadJavaFrames() && JavaFramesSelfTest.verdict(pid).isEmpty(); // else javaFramesStatus says why
            } catch (CollectorException | RuntimeException e) {
                passed = false; // the window ended first, or the walker does not load here
            }
            synchronized (closeLock) {
                if (!passed && !saved && r.javaStacks() != null) {
                    try {
                        r.javaOn(false);
                    } catch (CollectorException e) {
                        // the window ended meanwhile: nothing left to walk for
                    }
                }
                javaVerdict = passed ? 1 : -1;
            }
            wake();
        }, "kfr-workingset-javaframes");
        t.setDaemon(true);
        t.start();
    }

    private StackResolver stacks() {
        if (stacks == null) {
            stacks = new StackResolver(recorder::stackInto, SharedSymbols.kernel(), SharedSymbols.process(pid),
                    namesJava ? recorder.javaStacks() : null);
        }
        return stacks;
    }

    @Override
    public int poll(int timeoutMillis) {
        if (saved) {
            synchronized (wakeLock) {
                try {
                    wakeLock.wait(Math.max(1, timeoutMillis));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return 0;
        }
        int n;
        try {
            n = recorder.poll(timeoutMillis, new Deliver());
        } catch (CollectorException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        counters = recorder.counters();
        deliverOldPending();
        if (javaVerdict != 0) {
            if (javaVerdict == 1 && !namesJava) {
                stacks = null; // the next miss's resolver names Java frames
                namesJava = true;
            }
            deliverHeld();
        }
        if (saveRequested || System.nanoTime() - windowEnd >= 0) {
            finishWindow();
        }
        return n;
    }

    @Override
    public void stop() {
        if (!saved) {
            finishWindow(); // a JVM that ends before the window still saves what it read
        }
    }

    @Override
    public void statistics(CollectorStatistics.Builder into) {
        long[] c = counters;
        into.put(WorkingSetCounters.EVENTS, c[WorkingSetRecords.CNT_EVENTS]);
        into.put(WorkingSetCounters.DROPPED, c[WorkingSetRecords.CNT_RB_FULL] + c[WorkingSetRecords.CNT_CHUNK_FULL]);
        into.put(CollectorCounters.BPF_RUN_COUNT, c[WorkingSetRecords.STAT_RUNS])
                .put(CollectorCounters.BPF_RUN_TIME, c[WorkingSetRecords.STAT_RUN_NS])
                .put(CollectorCounters.RECURSION_MISSES, c[WorkingSetRecords.STAT_RECURSION_MISSES])
                .put(WorkingSetCounters.MISS_RUN_COUNT, c[WorkingSetRecords.STAT_MISS_RUNS])
                .put(WorkingSetCounters.MISS_RUN_TIME, c[WorkingSetRecords.STAT_MISS_RUN_NS])
                .put(WorkingSetCounters.WRITE_ADDS, c[WorkingSetRecords.CNT_WRITE_ADDS])
                .put(CollectorCounters.UNKNOWN_FRAMES, stacks == null ? 0 : stacks.unknownFrames())
                .put(JavaWalkCounters.WALKS, c[WorkingSetRecords.CNT_JAVA_WALK])
                .put(JavaWalkCounters.WALK_TIME, c[WorkingSetRecords.CNT_JAVA_WALK_NS])
                .put(JavaWalkCounters.FRAMES, c[WorkingSetRecords.CNT_JAVA_FRAMES])
                .put(JavaWalkCounters.NO_ANCHOR, c[WorkingSetRecords.CNT_JAVA_NO_ANCHOR])
                .put(JavaWalkCounters.BROKEN, c[WorkingSetRecords.CNT_JAVA_BROKEN])
                .put(JavaWalkCounters.STACKS_SENT, c[WorkingSetRecords.CNT_JAVA_SENT])
                .put(JavaWalkCounters.STACKS_LOST, c[WorkingSetRecords.CNT_JAVA_LOST])
                .put(JavaWalkCounters.FROM_REGISTERS, c[WorkingSetRecords.CNT_JAVA_FROM_REGS]);
    }

    @Override
    public void wake() {
        synchronized (wakeLock) {
            wakeLock.notifyAll();
        }
        WorkingSetRecorder r = recorder;
        if (r != null) {
            r.wake();
        }
    }

    @Override
    public void closeHandle() {
        if (recorder != null) {
            recorder.close();
        }
    }

    @Override
    public void release() {
        pending.clear();
    }

    private void finishWindow() {
        saved = true;
        try {
            recorder.poll(0, new Deliver());
            for (WorkingSetRecords.Miss m : pending.values()) {
                deliver(m, 0);
            }
            pending.clear();
            deliverHeld(); // without a verdict yet: without Java frames
            counters = recorder.counters();
            List<RecordedFile> files = recorder.files();
            WorkingSet set = recorder.workingSet(before).withoutOwnOutput(startedEpochNanos, pid);
            WorkingSetFormat.write(set, file);
            long now = Clocks.nowEpochNanos();
            for (RecordedFile f : files) {
                listener.onFile(f, now);
            }
            listener.onSaved(set);
        } catch (CollectorException | IOException e) {
            throw new IllegalStateException("workingset: the set was not saved: " + e.getMessage(), e);
        } finally {
            synchronized (closeLock) {
                recorder.close(); // detached: the window is over
            }
        }
    }

    private Thread startPrefetch() {
        if (!Files.exists(file)) {
            return null;
        }
        PrefetchPlan plan;
        PrefetchMethod method;
        try {
            method = PrefetchMethod.parse(System.getProperty(PREFETCH_METHOD_PROPERTY, PrefetchMethod.FADVISE.optionName()));
        } catch (IllegalArgumentException e) {
            listener.onPrefetched(new PrefetchResult(PrefetchMethod.FADVISE, 0, 0, List.of("-D" + PREFETCH_METHOD_PROPERTY
                    + ": " + e.getMessage()), 0));
            return null;
        }
        try {
            plan = PrefetchPlan.of(WorkingSetFormat.read(file), 0);
        } catch (IOException e) {
            listener.onPrefetched(new PrefetchResult(PrefetchMethod.FADVISE, 0, 0, List.of(e.getMessage()), 0));
            return null;
        }
        Thread t = new Thread(() -> {
            synchronized (prefetchTid) {
                prefetchTid.set(Tids.current());
                prefetchTid.notifyAll();
            }
            listener.onPrefetched(Prefetcher.run(plan, method));
        }, "kfr-prefetch");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private int awaitPrefetchTid() {
        synchronized (prefetchTid) {
            long deadline = System.nanoTime() + 1_000_000_000L;
            while (prefetchTid.get() == 0 && System.nanoTime() < deadline) {
                try {
                    prefetchTid.wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            return prefetchTid.get();
        }
    }

    private void deliverOldPending() {
        long now = System.nanoTime(); // CLOCK_MONOTONIC, as the records' times
        pending.values().removeIf(m -> {
            if (now - m.timeNs() < PENDING_NANOS) {
                return false;
            }
            deliver(m, 0);
            return true;
        });
    }

    private void deliver(WorkingSetRecords.Miss m, long waitNanos) {
        if (javaVerdict == 0 && !saved) {
            held.add(new HeldMiss(m, waitNanos));
            return;
        }
        long javaRef = namesJava ? m.javaRef() : 0; // 0: no Java frames
        FileKey key = new FileKey(m.device(), m.inode());
        listener.onMiss(new PageCacheMiss(threads.lookup(m.tid()), stacks().resolve(m.kernelStackId(), m.userStackId(), javaRef),
                Clocks.monotonicToEpochNanos(m.timeNs()), waitNanos, recorder.path(key), m.firstPage() * PageRange.PAGE_BYTES,
                m.pages()));
    }

    private void deliverHeld() {
        List<HeldMiss> all = new ArrayList<>(held);
        held.clear();
        for (HeldMiss h : all) {
            deliver(h.miss, h.waitNanos);
        }
    }

    /** A miss and its wait, until Java frames have their verdict. */
    private static final class HeldMiss {
        final WorkingSetRecords.Miss miss;
        final long waitNanos;

        HeldMiss(WorkingSetRecords.Miss miss, long waitNanos) {
            this.miss = miss;
            this.waitNanos = waitNanos;
        }
    }

    /** Misses wait for their thread's next record: a wait for them, or a next miss (then they had none). */
    private final class Deliver implements WorkingSetRecords.Sink {
        @Override
        public void file(WorkingSetRecords.FileSeen f) {
        }

        @Override
        public void miss(WorkingSetRecords.Miss m) {
            WorkingSetRecords.Miss before = pending.put(m.tid(), m);
            if (before != null) {
                deliver(before, 0);
            }
        }

        @Override
        public void waited(WorkingSetRecords.Wait w) {
            WorkingSetRecords.Miss m = pending.get(w.tid());
            if (m != null && m.device() == w.device() && m.inode() == w.inode() && m.firstPage() == w.page()) {
                pending.remove(w.tid());
                deliver(m, w.durationNs());
            }
        }
    }
}
