package io.kfr.agent.export;

import io.kfr.agent.Durations;
import io.kfr.agent.Log;
import io.kfr.agent.NestedJars;
import io.kfr.agent.collectors.cpu.CpuKind;
import io.kfr.agent.collectors.offcpu.OffCpuKind;
import io.kfr.collectors.CpuSample;
import io.kfr.collectors.OffCpuSample;
import io.kfr.collectors.ThreadRef;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * {@code export=}: every period, the period's off-CPU and CPU samples as one profile file in
 * {@code export.dir}, for a sidecar or a collector that picks files up. A file is written under a
 * hidden temporary name and renamed into place, so a reader never sees half a file; this JVM keeps
 * its newest {@code export.keep} files and deletes older ones. Names sort in time order:
 * {@code kfr-<pid>-<sequence>-<UTC time>.pb.gz} (.otlp, .folded). The samples are summed as they
 * arrive ({@link PeriodSums}): no .jfr is read back, and memory is bounded by the distinct
 * stacks of one period. The last period is written when the recording stops.
 */
public final class RotatedExport implements AutoCloseable {
    /** Distinct (thread, state, system call, stack) sums one period keeps with their stacks. */
    static final int MAX_SAMPLES_PER_PERIOD = 5_000;
    /**
     * Made at the first export file, not with {@link #OFF}: a DateTimeFormatter pattern keeps the
     * JDK's date-time tables (~0.9 MB) in the application's heap, which a session without
     * export= must not pay for.
     */
    private static final class FileTime {
        static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    }
    /** Nothing is exported: the options did not ask for it. */
    public static final RotatedExport OFF = new RotatedExport();

    private final ExportOptions options;
    private final PeriodSums profile;
    private final ScheduledExecutorService timer;
    private final String prefix;
    private final Object writeLock = new Object();
    private long sequence;
    private volatile long lastChunkEvent = Long.MAX_VALUE;
    private boolean closed;
    private boolean failureTold;

    private RotatedExport() {
        options = ExportOptions.OFF;
        profile = null;
        timer = null;
        prefix = null;
        closed = true;
    }

    /** The writers' Java release (see {@link PeriodSums}). */
    static final int NEEDS = 17;
    private static final String SUMS = "io.kfr.agent.convert.PeriodProfile";

    private RotatedExport(ExportOptions options, PeriodSums profile) {
        this.options = options;
        this.profile = profile;
        this.prefix = "kfr-" + ProcessHandle.current().pid() + "-";
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kfr-export");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts the export the options ask for, or {@link #OFF}; the directory is made if missing.
     * @param runs whether the session runs the collector of that name: the off-CPU and CPU
     *             collectors' samples are the profiles exported
     */
    public static RotatedExport start(ExportOptions options, Predicate<String> runs,
                                      UnaryOperator<ThreadRef> threadNames) throws IOException {
        if (!options.on()) {
            return OFF;
        }
        Files.createDirectories(options.dir);
        if (!Files.isWritable(options.dir)) {
            throw new IOException("export.dir " + options.dir + " is not writable by this user");
        }
        if (Runtime.version().feature() < NEEDS) {
            Log.error("export= needs Java " + NEEDS + " or later in the recorded JVM (this is " + Runtime.version()
                    + "); no profiles are exported, the recording goes on: convert its file with a newer java");
            return OFF;
        }
        RotatedExport e = new RotatedExport(options, periodSums(runs.test(OffCpuKind.NAME), runs.test(CpuKind.NAME), threadNames));
        long period = options.periodNanos;
        e.timer.scheduleAtFixedRate(e::rotateQuietly, period, period, TimeUnit.NANOSECONDS);
        Log.info("exporting " + options.format + " every " + Durations.format(period) + " to " + options.dir
                + " (keeping " + options.keep + " files)");
        return e;
    }

    /** IOException: the export's nested jar could not be written out (NestedJars). */
    private static PeriodSums periodSums(boolean offCpu, boolean cpu, UnaryOperator<ThreadRef> threadNames) throws IOException {
        ClassLoader writers = NestedJars.export();
        try {
            return (PeriodSums) Class.forName(SUMS, true, writers).getConstructor(boolean.class, boolean.class, int.class, UnaryOperator.class)
                    .newInstance(offCpu, cpu, MAX_SAMPLES_PER_PERIOD, threadNames);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the agent jar lacks " + SUMS, e);
        }
    }

    /** @param chunkEvent the sample's event number in kfr's chunk (KfrChunk.addOffCpu) */
    public void addOffCpu(OffCpuSample s, long chunkEvent) {
        if (profile != null && chunkEvent <= lastChunkEvent) {
            profile.addOffCpu(s);
        }
    }

    /** @param chunkEvent the sample's event number in kfr's chunk (KfrChunk.addCpuSample) */
    public void addCpu(CpuSample s, long chunkEvent) {
        if (profile != null && chunkEvent <= lastChunkEvent) {
            profile.addCpu(s);
        }
    }

    /**
     * Samples after kfr's chunk event {@code n} are left out: given when the chunk of {@code file=}
     * is written (KfrChunk.onNextWrite), so the files and the .jfr hold the same samples even where
     * a collector still delivers while the chunk is written (its stop timed out on a loaded machine).
     */
    public void endAtChunkEvent(long n) {
        lastChunkEvent = n;
    }

    private void rotateQuietly() {
        try {
            rotate();
        } catch (IOException | RuntimeException e) {
            synchronized (writeLock) {
                if (!failureTold) { // once: a full disk would otherwise say it every period
                    failureTold = true;
                    Log.error("export: cannot write a period's profile to " + options.dir + ": " + e.getMessage()
                            + "; the period's data is dropped, later periods are tried again");
                }
            }
        }
    }

    /** Writes the period so far as one file and starts the next; returns the file. */
    Path rotate() throws IOException {
        synchronized (writeLock) {
            Instant now = Instant.now();
            String name = prefix + String.format("%06d", ++sequence) + "-" + FileTime.TIME.format(now)
                    + ExportOptions.extension(options.format);
            Path target = options.dir.resolve(name);
            Path tmp = options.dir.resolve("." + name + ".tmp");
            try {
                try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE), 1 << 16)) {
                    profile.writePeriod(options.format, options.service, o);
                }
                try {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, target);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
            prune();
            return target;
        }
    }

    /** Deletes this JVM's oldest files beyond export.keep (names sort by sequence). */
    private void prune() throws IOException {
        List<Path> mine = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(options.dir, prefix + "*")) {
            for (Path p : files) {
                mine.add(p);
            }
        }
        Collections.sort(mine);
        for (int i = 0; i < mine.size() - options.keep; i++) {
            Files.deleteIfExists(mine.get(i));
        }
    }

    /** Stops the timer and writes the last period (call after the collectors' last delivery). */
    @Override
    public void close() {
        if (timer == null) {
            return;
        }
        synchronized (writeLock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        timer.shutdown(); // a period being written is finished, not interrupted
        try {
            timer.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        rotateQuietly();
    }
}
