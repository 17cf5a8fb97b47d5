package io.kfr.agent.workingset;

import io.kfr.agent.Log;
import io.kfr.collectors.CollectorException;
import io.kfr.collectors.Tids;
import io.kfr.collectors.workingset.MappedPages;
import io.kfr.collectors.workingset.PageRange;
import io.kfr.collectors.workingset.PrefetchPlan;
import io.kfr.collectors.workingset.PrefetchResult;
import io.kfr.collectors.workingset.Prefetcher;
import io.kfr.collectors.workingset.RecordedFile;
import io.kfr.collectors.workingset.WorkingSet;
import io.kfr.collectors.workingset.WorkingSetFormat;
import io.kfr.collectors.workingset.WorkingSetRecorder;
import io.kfr.collectors.workingset.WorkingSetRecords;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code workingset=<file>} in this JVM, all of it off the premain thread: the set recorded last time
 * is prefetched on a thread of its own (sorted, merged, capped), while this JVM's start is recorded for
 * {@code workingset.window} (or until {@link #save()}); then the new set (the pages touched before the
 * agent ran, from the page tables, included) replaces the file atomically.
 */
public final class WorkingSetSession {
    public static final long DEFAULT_WINDOW_NS = 30_000_000_000L;

    private final Path file;
    private final long windowNs;
    private final WorkingSetRecords.Sink sink;
    private final CountDownLatch saveNow = new CountDownLatch(1);
    private final CountDownLatch done = new CountDownLatch(1);
    private final AtomicInteger prefetchTid = new AtomicInteger();
    private volatile PrefetchResult prefetched;
    private volatile List<RecordedFile> recorded = List.of();
    private volatile String failure;
    private Thread worker;

    /** sink (may be null) gets each miss and wait as it is read, on the worker thread. */
    public WorkingSetSession(Path file, long windowNs, WorkingSetRecords.Sink sink) {
        this.file = file;
        this.windowNs = windowNs;
        this.sink = sink;
    }

    /** Returns at once; the work runs on the daemon thread kfr-workingset. */
    public void start() {
        worker = new Thread(this::work, "kfr-workingset");
        worker.setDaemon(true);
        worker.start();
    }

    /** Ends the recording window now and saves (what {@code kfr workingset save} asks). */
    public void save() {
        saveNow.countDown();
    }

    /** Waits until the set was saved (or the recording failed); false on timeout. */
    public boolean awaitSaved(long timeout, TimeUnit unit) throws InterruptedException {
        return done.await(timeout, unit);
    }

    public PrefetchResult prefetched() {
        return prefetched;
    }

    /** The files of the recording, once saved. */
    public List<RecordedFile> recorded() {
        return recorded;
    }

    /** Why the recording failed, or null. */
    public String failure() {
        return failure;
    }

    private void work() {
        try {
            Map<String, List<PageRange>> before = MappedPages.ofThisProcess();
            Thread prefetch = startPrefetch();
            try (WorkingSetRecorder r = WorkingSetRecorder.start(ProcessHandle.current().pid())) {
                if (prefetch != null) {
                    excludePrefetchThread(r);
                }
                long end = System.nanoTime() + windowNs;
                while (System.nanoTime() < end && saveNow.getCount() > 0) {
                    r.poll(100, sink);
                }
                recorded = r.files();
                WorkingSet set = r.workingSet(before);
                WorkingSetFormat.write(set, file);
                Log.info(String.format("kfr: working set of %d files, %.1f MB -> %s", set.files().size(), set.bytes() / 1048576.0, file));
            }
        } catch (CollectorException | IOException | RuntimeException e) {
            failure = e.getMessage();
            Log.error("kfr: working set not recorded: " + e.getMessage());
        } finally {
            done.countDown();
        }
    }

    private Thread startPrefetch() {
        if (!Files.exists(file)) {
            return null;
        }
        WorkingSet last;
        try {
            last = WorkingSetFormat.read(file);
        } catch (IOException e) {
            Log.error("kfr: not prefetched: " + e.getMessage());
            return null;
        }
        PrefetchPlan plan = PrefetchPlan.of(last, 0);
        Thread t = new Thread(() -> {
            synchronized (prefetchTid) {
                prefetchTid.set(Tids.current());
                prefetchTid.notifyAll();
            }
            prefetched = Prefetcher.run(plan, PrefetchCommand.DEFAULT_METHOD);
        }, "kfr-prefetch");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private void excludePrefetchThread(WorkingSetRecorder r) throws CollectorException {
        int tid;
        synchronized (prefetchTid) {
            while ((tid = prefetchTid.get()) == 0) {
                try {
                    prefetchTid.wait(1000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        r.excludeThread(tid);
    }
}
