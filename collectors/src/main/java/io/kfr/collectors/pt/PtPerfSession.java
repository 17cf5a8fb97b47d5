package io.kfr.collectors.pt;

import io.kfr.collectors.CollectorException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * The threads of this JVM traced by Intel PT: one perf event per thread (pid = tid, cpu = -1)
 * with its own AUX ring in snapshot mode. Threads are found in /proc/self/task at the start and
 * at every {@link #traceNewThreads} (the collector calls it each period and when the off-CPU
 * collector reports a thread it has not seen), since an inherited event cannot be mapped per
 * thread and existing threads are never inherited. Not thread-safe except {@link #snapshot}.
 */
public final class PtPerfSession implements AutoCloseable {
    public static final String SYSFS = "/sys/bus/event_source/devices/intel_pt";
    /** Flags of PtPerfNative.open: timing packets (tsc, mtc). */
    static final int TIMING = 1;

    private final long handle;
    private final int excludedTid;
    private final Set<Integer> refused = new HashSet<>();
    private String filter;
    private String firstRefusal;
    private long threadsRefused;

    private PtPerfSession(long handle, int excludedTid) {
        this.handle = handle;
        this.excludedTid = excludedTid;
    }

    /**
     * Opens PT on the PMU at {@code pmuDir} (normally {@link #SYSFS}) and traces every thread of
     * this process except {@code excludedTid} (the collector's own).
     * @throws CollectorException one line: what is missing and its fix
     */
    public static PtPerfSession open(String pmuDir, PtPerfConfig config, int excludedTid) throws CollectorException {
        String load = PtPerfNative.load();
        if (load != null) {
            throw new CollectorException("pt: " + load);
        }
        String[] why = new String[1];
        long h = PtPerfNative.open(pmuDir, config.bufferBytes(), TIMING, why);
        if (h == 0) {
            throw new CollectorException("pt: " + why[0]);
        }
        PtPerfSession s = new PtPerfSession(h, excludedTid);
        try {
            int added = s.traceNewThreads();
            if (added == 0) {
                throw new CollectorException("pt: no thread could be traced: " + s.firstRefusal);
            }
        } catch (CollectorException e) {
            s.close();
            throw e;
        }
        return s;
    }

    /** The PMU in words for doctor, or "!" and why it cannot be used. */
    public static String describePmu(String pmuDir) {
        String load = PtPerfNative.load();
        return load != null ? "!" + load : PtPerfNative.pmu(pmuDir);
    }

    /** Sets an address filter (perf's syntax) on every traced thread and the ones added later; null or why not. */
    public String setFilter(String filter) {
        String[] why = new String[1];
        if (PtPerfNative.setFilter(handle, filter, why) != 0) {
            return why[0];
        }
        this.filter = filter;
        return null;
    }

    /** The filter for the JIT code heap of this JVM, or null when none is found. */
    public static String codeHeapFilter() throws IOException {
        PtPerfCodeHeap heap = PtPerfCodeHeap.ofThisProcess();
        return heap == null ? null : heap.filter();
    }

    public String filter() {
        return filter;
    }

    /**
     * Traces the threads of /proc/self/task not traced yet, and gives back the rings of traced
     * threads that ended (their last trace is lost: an ended thread is not snapshot); how many were added.
     */
    public int traceNewThreads() {
        int added = 0;
        String[] why = new String[1];
        Set<Integer> live = new HashSet<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path p : tasks) {
                int tid = Integer.parseInt(p.getFileName().toString());
                live.add(tid);
                if (tid == excludedTid || refused.contains(tid)) {
                    continue;
                }
                int rc = PtPerfNative.addThread(handle, tid, why);
                if (rc == 0) {
                    added++;
                } else if (rc < 0 && rc != -3 /* ESRCH: it ended meanwhile */) {
                    refused.add(tid);
                    threadsRefused++;
                    if (firstRefusal == null) {
                        firstRefusal = why[0];
                    }
                }
            }
        } catch (IOException e) {
            if (firstRefusal == null) {
                firstRefusal = "cannot list /proc/self/task: " + e.getMessage();
            }
            return added;
        }
        for (int tid : threads()) {
            if (!live.contains(tid)) {
                forget(tid);
            }
        }
        refused.retainAll(live); // a recycled tid is a new thread
        return added;
    }

    /** Traces one thread now (one the off-CPU collector just saw); true if it is traced. */
    public boolean trace(int tid) {
        if (tid == excludedTid || refused.contains(tid)) {
            return false;
        }
        String[] why = new String[1];
        int rc = PtPerfNative.addThread(handle, tid, why);
        if (rc < 0 && rc != -3) {
            refused.add(tid);
            threadsRefused++;
            if (firstRefusal == null) {
                firstRefusal = why[0];
            }
        }
        return rc >= 0;
    }

    /** Stops tracing a thread that ended. */
    public void forget(int tid) {
        PtPerfNative.removeThread(handle, tid);
    }

    /** The traced tids. */
    public int[] threads() {
        int[] out = new int[256];
        int n = PtPerfNative.threads(handle, out);
        if (n > out.length) {
            out = new int[n + 64];
            n = Math.min(out.length, PtPerfNative.threads(handle, out));
        }
        return java.util.Arrays.copyOf(out, n);
    }

    /** Threads that could not be traced (each refused once), and the first reason. */
    public long threadsRefused() {
        return threadsRefused;
    }

    public String firstRefusal() {
        return firstRefusal;
    }

    public long auxBytes() {
        return PtPerfNative.auxBytes(handle);
    }

    /**
     * Copies tid's trace into {@code into} (cleared first; a direct buffer of at least {@link #auxBytes});
     * null if tid is not traced or the kernel refused.
     */
    public PtSnapshot snapshot(int tid, String reason, ByteBuffer into) {
        long[] info = new long[5];
        into.clear();
        long n = PtPerfNative.snapshot(handle, tid, into, info);
        if (n < 0) {
            return null;
        }
        into.limit((int) n);
        long[] time = info[2] == -1 && info[3] == -1 ? null : new long[] {info[2], info[3], info[4]};
        return new PtSnapshot(tid, reason, io.kfr.collectors.Clocks.nowEpochNanos(), into, info[0], info[1] != 0, time);
    }

    @Override
    public void close() {
        PtPerfNative.close(handle);
    }
}
