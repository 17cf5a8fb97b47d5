package io.kfr.agent;

import io.kfr.agent.collectors.CollectorKind;
import io.kfr.agent.collectors.CollectorKinds;
import io.kfr.agent.collectors.CollectorOutput;
import io.kfr.agent.export.RotatedExport;
import io.kfr.collectors.CollectorException;
import io.kfr.collectors.CollectorListener;
import io.kfr.collectors.CollectorStatistics;
import io.kfr.collectors.RunningCollector;
import io.kfr.collectors.natives.NativeLibrary;
import io.kfr.collectors.threads.ThreadDirectory;
import io.kfr.jfr.JfrFiles;
import io.kfr.jfr.KfrChunk;
import io.kfr.jfr.live.LiveSummaries;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * One kfr recording inside this JVM: the collectors, kfr's chunk, and the JVM recording it is
 * merged with. The agent wires options to it; it knows nothing about option strings.
 */
final class Session {
    private final AgentOptions options;
    private final Path workDir;
    private final KfrChunk chunk;
    private final JvmRecording jvmRecording;
    private final ThreadDirectory threads;
    private final LiveSummaries summaries;
    /** export=: the rotated profile files; OFF without it. */
    private RotatedExport export = RotatedExport.OFF;
    /** The collectors that started, in {@link CollectorKinds} order. */
    private final List<RunningCollector> running = new ArrayList<>();
    /** CPU samples also go in as jdk.ExecutionSample (JMC's Method Profiling). */
    private final boolean executionSamples;
    private final Instant since = Instant.now();
    /** Why a requested collector did not start (one line each). */
    private final List<String> problems = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Events added to kfr's chunk so far, per event type. */
    private final Map<String, AtomicLong> eventCounts = new ConcurrentHashMap<>();
    /** The latest statistics of each collector. */
    private final Map<String, CollectorStatistics> lastStatistics = new ConcurrentHashMap<>();
    private boolean stopped;
    /** The collector whose start is in progress (premain's start, in the background), or null. */
    private CollectorKind starting;
    /** The merge failed: the JVM's recording stays in the work directory for the user. */
    private boolean keepWorkDir;
    /** The work directory's lock (Leftovers), released when the directory goes. */
    private java.nio.channels.FileChannel workDirLock;

    private Session(AgentOptions options, Path workDir, ThreadDirectory threads, KfrChunk chunk,
                    JvmRecording jvmRecording, boolean executionSamples) {
        this.options = options;
        this.threads = threads;
        this.summaries = new LiveSummaries(threads::javaThread);
        this.executionSamples = executionSamples;
        this.workDir = workDir;
        this.chunk = chunk;
        this.jvmRecording = jvmRecording;
    }

    /**
     * @param atJvmStart from -javaagent (premain): the JVM recording kfr's chunk is merged with is
     *        started only for file=; otherwise (the control channel) always, since dump needs one
     */
    static Session start(AgentOptions options, boolean atJvmStart) throws IOException {
        // With file=, kfr's spool and the JVM's recording live next to the file they end in (a
        // hidden directory): java.io.tmpdir may be small, and JFR's own repository needs it. The
        // pid in the name lets the next start remove what a killed JVM left (Leftovers).
        long pid = io.kfr.collectors.Tids.process();
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        Path next = options.file() == null ? null : options.file().toAbsolutePath().getParent();
        Path[] leftovers = {tmp, next, io.kfr.collectors.PrivateCache.directory(false)};
        Path workDir = io.kfr.collectors.PrivateFiles.directory(next != null ? next : tmp,
                (next != null ? ".kfr-session-" : "kfr-session-") + pid + "-");
        // held while the session lives: the next start elsewhere (another PID namespace) keeps it
        java.nio.channels.FileChannel lock = Leftovers.lock(workDir);
        ThreadDirectory threads = new ThreadDirectory();
        // a thread's first records may carry its provisional /proc name: the chunk writes the settled one
        JvmRecording[] recordingLater = new JvmRecording[1]; // the reserve grows with it, once it runs
        long fixedReserve = reserve(workDir, tmp);
        KfrChunk chunk = new KfrChunk(workDir, threads::settled, KfrChunk.MAX_SPOOL_BYTES, () -> {
            JvmRecording r = recordingLater[0];
            // room for the JVM's recording to be written there at exit, and for a merged copy of it
            return fixedReserve + (r == null ? 0 : 2 * r.size());
        }, options.retention());
        // kfr's samples as jdk.ExecutionSample, unless the user's own recording has the JVM's
        // asked only when a kind needs to know: the question starts JFR (~0.5 s of a JVM's start)
        BooleanSupplier userRecords = () -> JvmRecording.userRecords(atJvmStart);
        boolean executionSamples = false;
        for (CollectorKind k : CollectorKinds.ALL) { // a loop, not a stream: premain's path
            executionSamples |= k.requested(options) && k.feedsExecutionSamples(options, userRecords);
        }
        JvmRecording recording;
        try {
            recording = options.file() != null || !atJvmStart
                    ? JvmRecording.start(workDir, executionSamples, options.file() != null, atJvmStart,
                    options.retention()) : null;
        } catch (IOException | RuntimeException e) {
            chunk.close();
            deleteTree(workDir);
            throw e;
        }
        recordingLater[0] = recording;
        Session session = new Session(options, workDir, threads, chunk, recording, executionSamples);
        session.workDirLock = lock;
        if (recording != null) {
            session.summaries.register(); // on the thread that started JFR (LiveSummaries.register)
        }
        chunk.onSpoolStopped(why -> Log.error("stopped keeping events: " + why + "; the " + chunk.eventCount()
                + " events so far stay in kfr's chunk, later ones are counted as lost (status, exit line)"));
        try {
            session.export = RotatedExport.start(options.export(), options::runs, threads::settled);
        } catch (IOException e) {
            Log.error("export: " + e.getMessage() + "; no profiles are exported, the recording goes on");
        }
        session.startCollectors(atJvmStart, leftovers);
        return session;
    }

    /**
     * Free space the spool leaves where it lives, besides twice the JVM recording's size (written
     * there at exit): in java.io.tmpdir (JFR's repository, and JFR shuts the JVM down when it cannot
     * write there) 64 MB or 5%; elsewhere (next to file=) a quarter of the file system up to 64 MB.
     */
    private static long reserve(Path workDir, Path tmp) {
        try {
            java.nio.file.FileStore store = Files.getFileStore(workDir);
            if (store.equals(Files.getFileStore(tmp))) {
                return io.kfr.jfr.EventSpoolLimits.reserveBytes(store);
            }
            return Math.min(64L << 20, store.getTotalSpace() / 4);
        } catch (IOException | RuntimeException e) {
            return 64L << 20;
        }
    }

    /**
     * At the JVM's start (premain) the collectors start on a thread of their own and premain
     * returns at once: loading their BPF programs (the verifier) takes 0.3-2 s of CPU, which the
     * JVM's main does not wait for; what happens before a collector is attached is not recorded
     * by it. Started through the control channel they start before the reply, which says whether
     * they run.
     */
    private void startCollectors(boolean atJvmStart, Path[] leftoverDirs) {
        if (!atJvmStart) {
            Leftovers.clean(leftoverDirs);
            startEach(false);
            return;
        }
        // what dead JVMs left is removed there too: ~20 ms of directory scans premain need not wait for
        Thread t = new Thread(() -> {
            Leftovers.clean(leftoverDirs);
            startEach(true);
        }, "kfr-start");
        t.setDaemon(true); // a load still running at exit does not keep the JVM: it is given up
        t.start();
    }

    private void startEach(boolean atJvmStart) {
        for (CollectorKind kind : CollectorKinds.ALL) {
            if (!kind.requested(options)) {
                continue;
            }
            Output output = new Output(kind);
            synchronized (this) {
                if (stopped) {
                    return;
                }
                starting = kind;
            }
            RunningCollector c = null;
            try {
                c = kind.start(options, output);
            } catch (CollectorException e) {
                notStarted(e, atJvmStart);
            } catch (RuntimeException | Error e) {
                if (!Controller.shutdownInProgress(e)) { // else the JVM exits: its stop says what was given up
                    notStarted(new CollectorException(kind.title() + " did not start: " + e), atJvmStart);
                }
            }
            boolean taken;
            synchronized (this) {
                starting = null;
                taken = !stopped;
                if (c != null && taken) {
                    running.add(c);
                }
            }
            output.admitted.complete(taken);
            if (!taken) {
                if (c != null) {
                    c.close(); // stopped while it started: nothing of it was kept
                }
                return;
            }
        }
    }

    /** The collector still loading its programs (premain's start in the background), or null. */
    synchronized String starting() {
        return starting == null ? null : starting.title();
    }

    private void notStarted(CollectorException e, boolean atJvmStart) {
        problems.add(e.getMessage());
        if (atJvmStart) { // else the control command reports it, once
            Log.error(e.getMessage());
        }
    }

    /** Why requested collectors did not start; empty when all run. */
    List<String> problems() {
        return List.copyOf(problems);
    }

    AgentOptions options() {
        return options;
    }

    Instant since() {
        return since;
    }

    /** Events in kfr's chunk so far by type. */
    Map<String, Long> eventCounts() {
        Map<String, Long> m = new TreeMap<>();
        eventCounts.forEach((k, v) -> m.put(k, v.get()));
        return m;
    }

    /** The latest statistics per collector ("offcpu", "cpu"). */
    Map<String, CollectorStatistics> statistics() {
        return new TreeMap<>(lastStatistics);
    }

    private void count(String type) {
        eventCounts.computeIfAbsent(type, k -> new AtomicLong()).incrementAndGet();
    }

    /**
     * Writes the JVM's recording so far followed by kfr's chunk so far to {@code target},
     * atomically; recording goes on.
     * @throws IOException with a one-line message
     */
    synchronized void dump(Path target) throws IOException {
        if (stopped) {
            throw new IOException("the recording has stopped");
        }
        if (jvmRecording == null) {
            throw new IOException("this kfr recording was started without file=, so there is no JVM recording to merge"
                    + " with; stop it and start it again with 'kfr start <pid>' or with file=");
        }
        Path snapshot = workDir.resolve("jvm-snapshot.jfr");
        try {
            jvmRecording.snapshot(snapshot);
            JfrFiles.mergeAtomically(snapshot, chunk, target);
        } finally {
            Files.deleteIfExists(snapshot);
        }
    }

    boolean collecting() {
        return !running.isEmpty();
    }

    /**
     * Stops the collectors, writes the output file (if file= was given) and frees everything; once.
     * @param atExit called from the shutdown hook: the JVM recording is then written by JFR's own
     *        hook (dump on exit) and only waited for; otherwise kfr stops and closes it itself
     * @return null, or what went wrong writing the file (one line, also logged)
     */
    synchronized String stop(boolean atExit) {
        if (stopped) {
            return null;
        }
        stopped = true;
        if (starting != null) {
            // its BPF programs are still loading: not waited for (that can take seconds); the
            // loading thread closes it if the load ends before the JVM does
            Log.info(starting.title() + " was still starting (loading its BPF programs) at " + (atExit ? "exit" : "stop")
                    + "; given up, it recorded nothing");
        }
        if (running.size() > 1) { // their last polls overlap
            for (RunningCollector c : running) {
                c.requestStop();
            }
        }
        // loops, not lambdas, on the exit path: each new lambda shape spins method handles (~1-2 ms
        // each in a JVM that exits young, docs/measurements.md "Short JVMs")
        for (RunningCollector c : running) {
            c.close(); // a failure was said when it happened (onFailure)
        }
        // releases JFR's shutdown hook, which waits in the chunk's end for the last period
        long summariesNotTaken = summaries.finish();
        if (summariesNotTaken > 0 && jvmRecording != null) {
            Log.info(summariesNotTaken + " kfr.OffCpuSummary events came after the JVM recording ended (or with the"
                    + " event off there); the time they sum is in kfr.OffCpu");
        }
        String failure = null;
        if (options.file() != null) {
            chunk.onNextWrite(export::endAtChunkEvent);
            failure = writeFile(options.file(), atExit);
        } else if (!lostNote().isEmpty()) {
            Log.error("recording stopped; lost:" + lostNote().substring(1)); // no file line to carry it
        }
        if (jvmRecording != null && !atExit) {
            jvmRecording.close();
        }
        // the last period ends where kfr's chunk ends (onNextWrite above): a collector whose stop
        // timed out (a loaded machine) may still deliver while the file is written
        export.close();
        chunk.close();
        if (!keepWorkDir) {
            deleteTree(workDir);
            try {
                if (workDirLock != null) {
                    workDirLock.close();
                }
            } catch (IOException ignored) {
                // the lock goes with the JVM anyway
            }
        }
        if (!atExit) {
            NativeLibrary.releaseFreedMemory();
        }
        return failure;
    }

    /** @return null when written, else the one-line reason (also logged) */
    private String writeFile(Path target, boolean atExit) {
        Path jvmData;
        try {
            jvmData = atExit ? jvmRecording.finish() : jvmRecording.stopAndWrite();
        } catch (IOException | RuntimeException e) {
            String why = "cannot get the JVM's recording (" + e.getMessage() + "); " + target + " not written";
            Log.error(why);
            return why;
        }
        try {
            JfrFiles.mergeAtomically(jvmData, chunk, target);
            Log.info("wrote " + target + " (JVM recording + " + chunk.eventCount() + " kfr events" + lostNote() + ")");
            return null;
        } catch (IOException | RuntimeException e) {
            // Most often a full disk. The JVM's recording is already a valid file in the work
            // directory, on the target's file system: renaming it needs no space.
            // Appended in place, kfr's chunk needs room for itself only, not for a copy of both.
            String inPlace = null;
            try {
                JfrFiles.appendInPlace(jvmData, chunk);
            } catch (IOException | RuntimeException notEvenThat) {
                inPlace = notEvenThat.getMessage(); // the recording is cut back: still valid
            }
            try {
                Files.move(jvmData, target.toAbsolutePath(), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                if (inPlace == null) {
                    Log.info("wrote " + target + " (JVM recording + " + chunk.eventCount() + " kfr events" + lostNote()
                            + "; appended in place: " + e.getMessage() + ")");
                    return null;
                }
                String why = "wrote " + target + " with the JVM's recording only: kfr's " + chunk.eventCount()
                        + " events did not fit (" + e.getMessage() + ")";
                Log.error(why);
                return why;
            } catch (IOException | RuntimeException moveFailed) {
                String why = e.getMessage() + "; the JVM's recording is kept at " + jvmData;
                keepWorkDir = true;
                Log.error(why);
                return why;
            }
        }
    }


    /**
     * "" or "; what was lost", for the lines that say what was written and for status: events
     * the spool could not keep, and what each collector lost (its latest statistics).
     */
    String lostNote() {
        StringBuilder b = new StringBuilder();
        long lost = chunk.eventsLost();
        if (lost > 0) {
            b.append("; ").append(lost).append(" events not kept: ").append(chunk.spoolStopped());
        }
        long early = chunk.eventsDroppedForSegmentLimit();
        if (early > 0) {
            b.append("; ").append(early).append(" events left the window before maxage/maxsize: it keeps at most ")
                    .append(KfrChunk.MAX_SEGMENTS).append(" spool segments on this heap, and stacks that never"
                    + " repeat filled them fast");
        }
        for (Map.Entry<String, CollectorStatistics> e : statistics().entrySet()) {
            String what = LossWatch.describe(e.getValue());
            if (!what.isEmpty()) {
                CollectorKind kind = CollectorKinds.named(e.getKey());
                b.append("; ").append(kind != null ? kind.title() : e.getKey()).append(": ").append(what);
            }
        }
        return b.toString();
    }

    /** Deletes the directory and what it holds; what cannot be deleted stays (a temp dir left behind is harmless). */
    private static void deleteTree(Path dir) {
        deleteTree(dir.toFile());
    }

    private static void deleteTree(java.io.File f) {
        // null for a file; a link is removed, never followed
        java.io.File[] inside = Files.isSymbolicLink(f.toPath()) ? null : f.listFiles();
        if (inside != null) {
            for (java.io.File each : inside) {
                deleteTree(each);
            }
        }
        f.delete();
    }

    /**
     * A collector stopped on its own: one line at that moment. Its kernel side is already released;
     * the events so far stay in kfr's chunk, the other collector and the JVM go on.
     */
    private void collectorFailed(String collector, Throwable failure) {
        String line = collector + " stopped: " + failure
                + (failure instanceof OutOfMemoryError ? " (the JVM's heap is full)" : "")
                + "; its events so far are kept, the JVM runs on";
        if (!Log.tryError(line)) {
            throw new IllegalStateException("not said yet"); // FailureReport tries again
        }
        problems.add(collector + " stopped: " + failure);
    }

    /** Where one collector's output goes: kfr's chunk, the live summaries, the session's counts and statistics. */
    private final class Output implements CollectorOutput, CollectorListener {
        private final CollectorKind kind;
        private final LossWatch losses;
        /** Completed once the session took the collector in (true) or gave it up (false). */
        private final java.util.concurrent.CompletableFuture<Boolean> admitted = new java.util.concurrent.CompletableFuture<>();

        Output(CollectorKind kind) {
            this.kind = kind;
            this.losses = new LossWatch(kind.title(), kind.lossAdvice());
        }

        @Override
        public KfrChunk chunk() {
            return chunk;
        }

        @Override
        public RotatedExport export() {
            return export;
        }

        @Override
        public ThreadDirectory threads() {
            return threads;
        }

        @Override
        public LiveSummaries summaries() {
            return summaries;
        }

        @Override
        public boolean executionSamples() {
            return executionSamples;
        }

        @Override
        public void counted(String type) {
            count(type);
        }

        @Override
        public CollectorListener statisticsAndFailure() {
            return this;
        }

        @Override
        public boolean noneRunning() {
            synchronized (Session.this) {
                return running.isEmpty();
            }
        }

        @Override
        public boolean admitted() {
            return admitted.join();
        }

        @Override
        public void onStatistics(CollectorStatistics statistics) {
            if (!admitted()) {
                return;
            }
            chunk.addStatistics(statistics);
            count("kfr.CollectorStatistics");
            lastStatistics.put(statistics.collector(), statistics);
            losses.update(statistics, System.nanoTime());
        }

        @Override
        public void onFailure(Throwable failure) {
            if (!admitted()) {
                return; // given up while starting: its failure is no one's concern
            }
            collectorFailed(kind.title(), failure);
        }
    }
}
