package io.kfr.collectors.pt;

import io.kfr.collectors.Clocks;
import io.kfr.collectors.Collector;
import io.kfr.collectors.CollectorCounters;
import io.kfr.collectors.CollectorException;
import io.kfr.collectors.CollectorStatistics;
import io.kfr.collectors.CollectorWorker;
import io.kfr.collectors.RunningCollector;
import io.kfr.collectors.threads.ThreadDirectory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The Intel PT collector: every thread of this JVM traced into its own AUX ring (snapshot mode:
 * nothing copied while it runs), and snapshots taken on request ({@link #snapshotAll}: kfr dump,
 * kfr pt-snapshot), every {@code pt.period}, and for a thread that was off the CPU longer than
 * {@code pt.trigger} ({@link #offCpu}). Each snapshot is decoded and named on the collector's thread,
 * off the JVM's threads, bounded in instructions and time.
 */
public final class PtCollector implements Collector {
    private static final long PERIOD_NANOS = 1_000_000_000L;
    /** A request that only ends a waiting poll. */
    private static final int WAKE = -2;
    /** The reason of a request that only starts tracing a thread the off-CPU collector saw first. */
    private static final String TRACE = "trace";
    /** Threads seen by {@link #offCpu}: each new one is traced at once, not at the next period's scan. */
    private final java.util.Set<Integer> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private final PtPerfConfig config;
    private final PtPerfSession session;
    private final PtCollectorListener listener;
    private final LinkedBlockingQueue<Request> requests = new LinkedBlockingQueue<>();
    private final PtCpu cpu = PtCpu.host();
    private ByteBuffer buffer;
    private long nextPeriodic;
    private long snapshots;
    /** Snapshot requests that took a trace: kfr.HotPath's snapshot number. */
    private long requestsTaken;
    private long failedSnapshots;
    private long events;
    private long unnamed;
    private long codeChanged;

    private static final class Request {
        final int tid; // -1: every traced thread
        final String reason;
        final long untilNanos;
        /** Completed with the threads decoded, for a caller that waits (kfr dump); may be null. */
        final CompletableFuture<Integer> done;

        Request(int tid, String reason, long untilNanos, CompletableFuture<Integer> done) {
            this.tid = tid;
            this.reason = reason;
            this.untilNanos = untilNanos;
            this.done = done;
        }
    }

    private PtCollector(PtPerfConfig config, PtPerfSession session, PtCollectorListener listener) {
        this.config = config;
        this.session = session;
        this.listener = listener;
    }

    /** The running collector and its handle for snapshots. */
    public static final class Started {
        public final RunningCollector running;
        public final PtCollector collector;
        /** Said once at the start: the address filter refused, threads not traced; null if none. */
        public final String warning;

        Started(RunningCollector running, PtCollector collector, String warning) {
            this.running = running;
            this.collector = collector;
            this.warning = warning;
        }
    }

    /**
     * Opens PT on this JVM's threads and starts the collector's thread.
     * @throws CollectorException one line with the fix: no PT, no libipt, no permission, no memory
     */
    public static Started start(String pmuDir, PtPerfConfig config, ThreadDirectory threads, PtCollectorListener listener)
            throws CollectorException {
        CollectorWorker worker = CollectorWorker.park("kfr-pt");
        PtPerfSession session;
        try {
            session = PtPerfSession.open(pmuDir, config, worker.tid());
        } catch (CollectorException | RuntimeException | Error e) {
            worker.abort();
            throw e;
        }
        String warning = null;
        if (config.javaOnly()) {
            warning = javaFilter(session);
        }
        String sideband = PtSideband.start();
        if (sideband != null) {
            String t = sideband + "; JIT code is decoded over the snapshot's copy alone";
            warning = warning == null ? t : warning + "; " + t;
        }
        if (session.threadsRefused() > 0) {
            String t = session.threadsRefused() + " threads not traced: " + session.firstRefusal();
            warning = warning == null ? t : warning + "; " + t;
        }
        PtCollector c = new PtCollector(config, session, listener);
        worker.run(c, listener, threads);
        return new Started(worker, c, warning);
    }

    /** Sets the code-heap filter; null, or the line saying it traces everything instead and why. */
    private static String javaFilter(PtPerfSession session) {
        try {
            String filter = PtPerfSession.codeHeapFilter();
            if (filter == null) {
                return "pt.filter=java: no JIT code heap found in /proc/self/maps; tracing all code";
            }
            String why = session.setFilter(filter);
            return why == null ? null : "pt.filter=java: " + why + "; tracing all code";
        } catch (IOException e) {
            return "pt.filter=java: cannot read /proc/self/maps (" + e.getMessage() + "); tracing all code";
        }
    }

    /**
     * Snapshots every traced thread (kfr dump, kfr pt-snapshot) at once on the collector's thread;
     * completes with the threads decoded once their events are delivered (0 if the collector stops first).
     */
    public CompletableFuture<Integer> snapshotAll(String reason) {
        CompletableFuture<Integer> done = new CompletableFuture<>();
        requests.add(new Request(-1, reason, -1, done));
        return done;
    }

    /**
     * A thread of this JVM was off the CPU for durationNanos from startEpochNanos (the off-CPU
     * collector's interval, delivered after the thread ran again): snapshots it if that is at least
     * pt.trigger, keeping what ran before it blocked. A thread not seen before is traced from now on:
     * the off-CPU collector sees a new thread at its first block, before the next scan of
     * /proc/self/task (every second) would.
     */
    public void offCpu(int tid, long startEpochNanos, long durationNanos) {
        if (seen.add(tid)) { // a thread started since the last scan of /proc/self/task, or one it already traces
            requests.add(new Request(tid, TRACE, -1, null));
        }
        if (config.triggerNanos() > 0 && durationNanos >= config.triggerNanos()) {
            long blockedAt = startEpochNanos - Clocks.monotonicToEpochNanos(0);
            requests.add(new Request(tid, PtSnapshot.OFF_CPU, blockedAt, null));
        }
    }

    @Override
    public String name() {
        return "pt";
    }

    @Override
    public long periodNanos() {
        return PERIOD_NANOS;
    }

    @Override
    public void start() {
        buffer = ByteBuffer.allocateDirect((int) Math.min(Integer.MAX_VALUE - 8, session.auxBytes()));
        nextPeriodic = config.periodNanos() > 0 ? System.nanoTime() + config.periodNanos() : Long.MAX_VALUE;
    }

    @Override
    public int poll(int timeoutMillis) {
        int delivered = 0;
        try {
            Request r = requests.poll(timeoutMillis, TimeUnit.MILLISECONDS);
            while (r != null) {
                int n = 0;
                try {
                    n = take(r);
                    delivered += n;
                } finally {
                    if (r.done != null) {
                        r.done.complete(n);
                    }
                }
                r = requests.poll();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (System.nanoTime() >= nextPeriodic) {
            nextPeriodic = System.nanoTime() + config.periodNanos();
            delivered += take(new Request(-1, PtSnapshot.PERIODIC, -1, null));
        }
        return delivered;
    }

    @Override
    public void period(boolean last) {
        if (!last) {
            session.traceNewThreads(); // threads started since the last period
        }
    }

    private int take(Request r) {
        if (r.tid == WAKE) {
            return 0;
        }
        int[] tids = r.tid < 0 ? session.threads() : new int[] {r.tid};
        if (r.tid >= 0) {
            session.trace(r.tid); // a thread started after the last period: traced from now on
        }
        if (TRACE.equals(r.reason)) {
            return 0;
        }
        int n = 0;
        // the code is copied right after the snapshots: the nearer to the trace, the fewer methods unloaded meanwhile
        java.util.List<PtSnapshot> taken = new java.util.ArrayList<>();
        java.util.List<ByteBuffer> copies = new java.util.ArrayList<>();
        for (int tid : tids) {
            PtSnapshot s = session.snapshot(tid, r.reason, buffer);
            if (s == null) {
                failedSnapshots++;
                continue;
            }
            ByteBuffer copy = ByteBuffer.allocate(s.trace.remaining());
            copy.put(s.trace.duplicate()).flip();
            taken.add(new PtSnapshot(s.tid, s.reason, s.epochNanos, copy, s.auxHead, s.wrapped, s.timeConversion));
        }
        if (taken.isEmpty()) {
            return 0;
        }
        long number = ++requestsTaken;
        try (PtImage image = PtImage.ofThisProcess()) {
            image.copyCodeHeap();
            image.addSideband(); // code freed since the trace, and what changed after it
            for (PtSnapshot s : taken) {
                if (s.trace.remaining() == 0) {
                    continue; // the thread has not run since it was traced
                }
                PtSnapshotResult result = PtSnapshotDecode.decode(number, s, image, cpu, r.untilNanos);
                snapshots++;
                events += result.paths.size() + result.spans.size();
                unnamed += result.unnamed;
                codeChanged += result.stops.getOrDefault(PtStops.CODE_CHANGED, 0);
                listener.onSnapshot(result);
                n++;
            }
        }
        return n;
    }

    @Override
    public void stop() {
    }

    @Override
    public void statistics(CollectorStatistics.Builder into) {
        into.put(CollectorCounters.EVENTS_RECORDED, events);
        into.put(CollectorCounters.RECORDS_DROPPED, failedSnapshots);
        into.put(CollectorCounters.UNKNOWN_FRAMES, unnamed);
        long[] sb = PtSideband.stats();
        into.put(PtCounters.SIDEBAND_RECORDS, sb[PtSideband.STAT_RECORDS]);
        into.put(PtCounters.SIDEBAND_DROPPED, sb[PtSideband.STAT_DROPPED]);
        into.put(PtCounters.UNLOAD_BYTES, sb[PtSideband.STAT_UNLOAD_BYTES]);
        into.put(PtCounters.UNLOADS_NOT_COPIED, sb[PtSideband.STAT_OVER_BUDGET]);
        into.put(PtCounters.CODE_CHANGED_STOPS, codeChanged);
    }

    /** Snapshots decoded so far. */
    public long snapshots() {
        return snapshots;
    }

    @Override
    public void wake() {
        requests.add(new Request(WAKE, "", -1, null));
    }

    @Override
    public void closeHandle() {
        session.close();
        PtSideband.stop();
    }

    @Override
    public void release() {
        buffer = null;
        for (Request r = requests.poll(); r != null; r = requests.poll()) {
            if (r.done != null) {
                r.done.complete(0);
            }
        }
    }
}
