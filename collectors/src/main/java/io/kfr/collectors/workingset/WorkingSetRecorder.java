package io.kfr.collectors.workingset;

import io.kfr.collectors.CollectorException;
import io.kfr.collectors.natives.KfrNative;
import io.kfr.collectors.natives.NativeLibrary;
import io.kfr.collectors.stacks.JavaStacks;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Records the working set of one process: loads the BPF programs, reads their records (file paths,
 * misses, waits), and at the end turns the kernel's page bitmaps into a {@link WorkingSet} of files
 * that exist here under the path recorded and are the same file (device and inode). Not thread-safe:
 * one thread polls, then finishes.
 */
public final class WorkingSetRecorder implements AutoCloseable {
    public static final long DEFAULT_WAIT_WINDOW_NS = 20_000_000L;
    private static final int POLL_BUFFER = 1 << 20;
    private static final int CHUNK_BUFFER_ENTRIES = 1 << 18;

    private final long handle;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(POLL_BUFFER);
    private final Map<FileKey, WorkingSetRecords.FileSeen> files = new HashMap<>();
    private final Map<FileKey, long[]> waits = new HashMap<>(); // count, nanos
    private volatile JavaStacks javaStacks;
    private boolean closed;

    private WorkingSetRecorder(long handle) {
        this.handle = handle;
    }

    /** Starts recording process tgid (this JVM: ProcessHandle.current().pid(); 0: none until {@link #target}). */
    public static WorkingSetRecorder start(long tgid) throws CollectorException {
        String why = NativeLibrary.load();
        if (why != null) {
            throw new CollectorException("workingset: " + why);
        }
        long h = WorkingSetNative.open((int) tgid, DEFAULT_WAIT_WINDOW_NS, 0);
        if (h == 0) {
            throw new CollectorException(KfrNative.lastError());
        }
        return new WorkingSetRecorder(h);
    }

    /**
     * Misses of this JVM's Java threads carry their Java stacks from now on ({@link #javaStacks()}):
     * the programs are replaced by ones with the HotSpot walker, the set so far kept. Slow (a second
     * or more); from any thread, while the recording runs. False (and why on err) if not possible.
     */
    public boolean loadJavaFrames() throws CollectorException {
        int e = WorkingSetNative.javaLoad(handle);
        if (e == -95) { // ENOTSUP: the JVM's layout is not known (KfrNative.javaFramesStatus says why)
            return false;
        }
        if (e < 0) {
            throw new CollectorException("workingset: Java frames: " + KfrNative.lastError());
        }
        javaStacks = JavaStacks.acquire();
        return true;
    }

    /** The Java stacks that misses refer to (Miss#javaRef), or null when the walker is not loaded. */
    public JavaStacks javaStacks() {
        return javaStacks;
    }

    /** Misses walk their Java stacks from now on (on), or no more. */
    public void javaOn(boolean on) throws CollectorException {
        if (javaStacks != null && WorkingSetNative.javaOn(handle, on) < 0) {
            throw new CollectorException("workingset javaOn: " + KfrNative.lastError());
        }
    }

    /** Records process tgid from now on. */
    public void target(long tgid) throws CollectorException {
        int e = WorkingSetNative.target(handle, (int) tgid);
        if (e < 0) {
            throw new CollectorException("workingset target: " + KfrNative.lastError());
        }
    }

    /** Leaves one thread of the process out from now on (kfr's prefetch thread: its reads are not the program's). */
    public void excludeThread(int tid) throws CollectorException {
        if (WorkingSetNative.exclude(handle, tid) < 0) {
            throw new CollectorException("workingset exclude: " + KfrNative.lastError());
        }
    }

    /** Waits up to timeoutMs for records; hands misses and waits to sink (may be null). Records read. */
    public int poll(int timeoutMs, WorkingSetRecords.Sink sink) throws CollectorException {
        int n = KfrNative.collectorPoll(handle, buffer, timeoutMs);
        if (n < 0) {
            throw new CollectorException("workingset poll: " + KfrNative.lastError() + " (errno " + (-n) + ")");
        }
        JavaStacks js = javaStacks;
        if (js != null) {
            js.read(); // the stacks these misses refer to were sent before them
        }
        int[] count = {0};
        WorkingSetRecords.decode(buffer, n, new WorkingSetRecords.Sink() {
            @Override
            public void file(WorkingSetRecords.FileSeen f) {
                count[0]++;
                files.putIfAbsent(new FileKey(f.device(), f.inode()), f);
            }

            @Override
            public void miss(WorkingSetRecords.Miss m) {
                count[0]++;
                if (sink != null) {
                    sink.miss(m);
                }
            }

            @Override
            public void waited(WorkingSetRecords.Wait w) {
                count[0]++;
                long[] c = waits.computeIfAbsent(new FileKey(w.device(), w.inode()), k -> new long[2]);
                c[0]++;
                c[1] += w.durationNs();
                if (sink != null) {
                    sink.waited(w);
                }
            }
        });
        return count[0];
    }

    private MountTable mounts;
    private final Map<FileKey, String> paths = new HashMap<>();

    /** The file's path here (checked by device and inode), or "device:inode" when it cannot be named. */
    public String path(FileKey key) {
        String known = paths.get(key);
        if (known != null) {
            return known;
        }
        WorkingSetRecords.FileSeen f = files.get(key);
        String p = null;
        if (f != null) {
            try {
                if (mounts == null) {
                    mounts = MountTable.ofThisProcess();
                }
                p = mounts.resolve(key.device(), key.inode(), f.pathInFs());
            } catch (IOException e) {
                p = null;
            }
        }
        if (p == null) {
            return Long.toHexString(key.device()) + ":" + key.inode(); // not cached: a later record may name it
        }
        paths.put(key, p);
        return p;
    }

    /** Reads a stack's instruction pointers into ips; how many. */
    public int stackInto(int stackId, long[] ips) {
        return KfrNative.collectorStack(handle, stackId, ips);
    }

    /** The path recorded for a file (within its filesystem), or null when no record named it yet. */
    public String pathInFs(FileKey key) {
        WorkingSetRecords.FileSeen f = files.get(key);
        return f == null ? null : f.pathInFs();
    }

    /** Counters (WorkingSetRecords.CNT_*, then STAT_*). */
    public long[] counters() {
        long[] c = new long[WorkingSetRecords.STAT_LEN];
        KfrNative.collectorStats(handle, c);
        return c;
    }

    /** A stack's instruction pointers (empty when unknown). */
    public long[] stack(int stackId) {
        long[] ips = new long[127];
        int n = stackId < 0 ? 0 : KfrNative.collectorStack(handle, stackId, ips);
        return java.util.Arrays.copyOf(ips, Math.max(n, 0));
    }

    /**
     * The files recorded so far with their pages, sorted by path; files that cannot be found here
     * under their recorded path (deleted, renamed, another mount namespace) are left out.
     */
    public List<RecordedFile> files() throws CollectorException, IOException {
        poll(0, null);
        ByteBuffer b = ByteBuffer.allocateDirect(CHUNK_BUFFER_ENTRIES * WorkingSetRecords.CHUNK_ENTRY_BYTES)
                .order(ByteOrder.LITTLE_ENDIAN);
        int n = WorkingSetNative.chunks(handle, b);
        if (n < 0) {
            throw new CollectorException("workingset chunks: " + KfrNative.lastError());
        }
        Map<FileKey, List<long[]>> byFile = new HashMap<>(); // chunk, pages, missed
        for (int i = 0; i < n; i++) {
            int o = i * WorkingSetRecords.CHUNK_ENTRY_BYTES;
            FileKey k = new FileKey(b.getLong(o), b.getLong(o + 8));
            byFile.computeIfAbsent(k, x -> new ArrayList<>()).add(new long[] {b.getLong(o + 16), b.getLong(o + 24), b.getLong(o + 32)});
        }
        MountTable mounts = MountTable.ofThisProcess();
        List<RecordedFile> out = new ArrayList<>();
        for (Map.Entry<FileKey, List<long[]>> e : byFile.entrySet()) {
            FileKey k = e.getKey();
            WorkingSetRecords.FileSeen seen = files.get(k);
            String path = seen == null ? null : mounts.resolve(k.device(), k.inode(), seen.pathInFs());
            if (path == null) {
                continue;
            }
            FileIdentity id = FileIdentity.of(Path.of(path));
            List<long[]> chunks = e.getValue();
            long[] idx = new long[chunks.size()];
            long[] bits = new long[chunks.size()];
            long missed = 0;
            for (int i = 0; i < idx.length; i++) {
                idx[i] = chunks.get(i)[0];
                bits[i] = chunks.get(i)[1];
                missed += Long.bitCount(chunks.get(i)[2]);
            }
            long[] w = waits.getOrDefault(k, new long[2]);
            FileSet set = new FileSet(path, id.size(), id.mtimeNanos(), id.inode(), id.device(), PageRanges.fromBitmaps(idx, bits));
            out.add(new RecordedFile(set, missed, w[0], w[1]));
        }
        out.sort(java.util.Comparator.comparing(f -> f.set().path()));
        return out;
    }

    /** The working set recorded so far. */
    public WorkingSet workingSet() throws CollectorException, IOException {
        return workingSet(Map.of());
    }

    /**
     * The working set recorded so far, with pages touched before the recording began added (path ->
     * pages, e.g. {@link MappedPages#ofThisProcess()} taken at the start).
     */
    public WorkingSet workingSet(Map<String, List<PageRange>> before) throws CollectorException, IOException {
        Map<String, FileSet> byPath = new java.util.TreeMap<>();
        for (RecordedFile f : files()) {
            byPath.put(f.set().path(), f.set());
        }
        for (Map.Entry<String, List<PageRange>> e : before.entrySet()) {
            FileIdentity id;
            try {
                id = FileIdentity.of(Path.of(e.getKey()));
            } catch (IOException | RuntimeException x) {
                continue;
            }
            FileSet old = byPath.get(e.getKey());
            List<PageRange> ranges = new ArrayList<>(e.getValue());
            if (old != null) {
                ranges.addAll(old.ranges());
            }
            byPath.put(e.getKey(), new FileSet(e.getKey(), id.size(), id.mtimeNanos(), id.inode(), id.device(), PageRanges.merge(ranges, 0)));
        }
        return new WorkingSet(System.currentTimeMillis(), List.copyOf(byPath.values()));
    }

    /** Ends a waiting {@link #poll} now; from any thread. */
    public void wake() {
        if (!closed) {
            KfrNative.collectorWake(handle);
        }
    }

    /** Detaches the programs: nothing more is recorded; the set and the counters stay readable. */
    public void detach() {
        KfrNative.collectorDetach(handle);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            KfrNative.collectorClose(handle);
            JavaStacks js = javaStacks;
            if (js != null) {
                js.release();
            }
        }
    }
}
