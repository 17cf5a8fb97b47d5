package io.kfr.agent;

import jdk.jfr.Configuration;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Recording;
import jdk.jfr.RecordingState;
import io.kfr.jfr.JfrFiles;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.HashMap;
import java.util.Map;

/**
 * The JVM's own recording that kfr's chunk is placed after. kfr always starts a recording of its
 * own, named "kfr": with the JDK's default settings when the user records nothing, and with no
 * settings at all when the user started a recording (-XX:StartFlightRecording) — JFR's recordings
 * share their data, so kfr's then holds the user's events without changing what the user records.
 *
 * The recording is written on exit to a private temporary destination (dumpOnExit), so its data is
 * on disk whichever shutdown hook runs first, JFR's or kfr's.
 */
final class JvmRecording {
    /** How long to wait for JFR's own shutdown hook to finish writing the recording. */
    private static final long WRITE_WAIT_NANOS = 10_000_000_000L;
    private final Recording recording;
    private final Path destination;

    private JvmRecording(Recording recording, Path destination) {
        this.recording = recording;
        this.destination = destination;
    }

    /**
     * @param ownExecutionSamples kfr writes jdk.ExecutionSample itself: the JVM's sampler stays off
     *        in this recording (a user's recording is never changed)
     * @param dumpOnExit written at JVM exit (file=); without, nothing is written unless dumped
     */
    static JvmRecording start(Path workDir, boolean ownExecutionSamples, boolean dumpOnExit, boolean atJvmStart,
                              io.kfr.jfr.SpoolRetention retention) throws IOException {
        Map<String, String> settings;
        if (userRecords(atJvmStart)) {
            settings = Map.of();
        } else {
            try {
                settings = new HashMap<>(Configuration.getConfiguration("default").getSettings());
            } catch (ParseException e) {
                throw new IOException("cannot read the JDK's default JFR settings: " + e.getMessage(), e);
            }
            if (ownExecutionSamples) {
                settings.put("jdk.ExecutionSample#enabled", "false");
            }
        }
        Path destination = workDir.resolve("jvm-recording.jfr");
        Recording r = new Recording(settings);
        r.setName("kfr");
        r.setToDisk(true);
        r.setDestination(destination);
        r.setDumpOnExit(dumpOnExit);
        // the same window as kfr's spool: a service's recording stays bounded on disk too
        r.setMaxAge(java.time.Duration.ofNanos(retention.maxAgeNanos()));
        r.setMaxSize(retention.maxBytes());
        r.start();
        return new JvmRecording(r, destination);
    }

    /**
     * A recording of the user's is running, or (at JVM start, before JFR started it) will be
     * started by -XX:StartFlightRecording.
     */
    static boolean userRecords(boolean atJvmStart) {
        boolean running = FlightRecorder.getFlightRecorder().getRecordings().stream()
                .anyMatch(r -> r.getState() == RecordingState.RUNNING || r.getState() == RecordingState.DELAYED);
        if (running || !atJvmStart) {
            return running;
        }
        return ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .anyMatch(a -> a.startsWith("-XX:StartFlightRecording"));
    }

    /**
     * At JVM exit: waits for JFR's own shutdown hook to write the recording (dumpOnExit) and
     * returns the file. Not stopped here: stopping it while JFR's hook tears the recorder down
     * races with it, and JFR then reports the recording's chunk files missing and writes nothing
     * (seen under load: "Missing chunkfile when writing recording").
     */
    Path finish() throws IOException {
        long deadline = System.nanoTime() + WRITE_WAIT_NANOS;
        while (!JfrFiles.isComplete(destination)) {
            if (System.nanoTime() - deadline > 0) {
                throw new IOException("the JVM recording was not written within "
                        + WRITE_WAIT_NANOS / 1_000_000_000L + " s (state " + recording.getState() + ")");
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for the JVM recording");
            }
        }
        return destination;
    }

    /**
     * Before JVM exit (kfr stop): stops the recording, which writes it to its destination, and
     * returns that file. Not for the shutdown hook (see {@link #finish}).
     */
    Path stopAndWrite() throws IOException {
        try {
            recording.stop();
        } catch (IllegalStateException e) {
            throw new IOException("the JVM recording was already " + recording.getState(), e);
        }
        if (!JfrFiles.isComplete(destination)) {
            throw new IOException("JFR did not write the JVM recording to " + destination);
        }
        return destination;
    }

    /** Releases the recording and its data (before JVM exit); nothing is written. */
    void close() {
        try {
            if (recording.getState() == RecordingState.RUNNING) {
                recording.setDestination(null);
            }
            recording.close();
        } catch (IOException | RuntimeException e) {
            Log.error("closing the JVM recording: " + e.getMessage());
        }
    }

    /** Bytes the recording holds so far (what writing it will take); 0 if unknown. */
    long size() {
        long size = 0;
        try {
            size = recording.getSize();
        } catch (RuntimeException e) {
            // unknown
        }
        // getSize counts finished chunks only; the repository (named by JFR in this property)
        // holds the chunk being written too, and writing the recording copies from there
        String repository = System.getProperty("jdk.jfr.repository");
        if (repository != null) {
            try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(Path.of(repository))) {
                size = Math.max(size, files.mapToLong(f -> f.toFile().length()).sum());
            } catch (IOException | RuntimeException e) {
                // keep what getSize said
            }
        }
        return size;
    }

    /** Writes the data recorded so far to {@code file} while the recording goes on. */
    void snapshot(Path file) throws IOException {
        try (Recording copy = recording.copy(false)) {
            copy.dump(file);
        }
    }
}
