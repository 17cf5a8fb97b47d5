package io.kfr.agent;

import io.kfr.collectors.CollectorException;
import io.kfr.collectors.CollectorStatistics;
import io.kfr.collectors.CpuSample;
import io.kfr.collectors.OffCpuSample;
import io.kfr.collectors.cpu.CpuCollector;
import io.kfr.collectors.cpu.CpuListener;
import io.kfr.collectors.offcpu.OffCpuCollector;
import io.kfr.collectors.offcpu.OffCpuListener;
import io.kfr.collectors.threads.ThreadDirectory;
import io.kfr.jfr.JfrFiles;
import io.kfr.jfr.KfrChunk;
import io.kfr.jfr.live.LiveSummaries;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * One kfr recording inside this JVM: the collectors, kfr's chunk, and the JVM recording it is
 * merged with. The agent wires options to it; it knows nothing about option strings.
 */
final class Session {
    private final AgentOptions options;
    private final Path workDir;
    private final KfrChunk chunk;
    private final JvmRecording jvmRecording;
    private final ThreadDirectory threads = new ThreadDirectory();
    private final LiveSummaries summaries = new LiveSummaries(threads::javaThread);
    private OffCpuCollector offCpu;
    private CpuCollector cpu;
    /** CPU samples also go in as jdk.ExecutionSample (JMC's Method Profiling). */
    private final boolean executionSamples;
    private boolean stopped;

    private Session(AgentOptions options, Path workDir, KfrChunk chunk, JvmRecording jvmRecording,
                    boolean executionSamples) {
        this.options = options;
        this.executionSamples = executionSamples;
        this.workDir = workDir;
        this.chunk = chunk;
        this.jvmRecording = jvmRecording;
    }

    static Session start(AgentOptions options) throws IOException {
        Path workDir = Files.createTempDirectory("kfr-session-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        KfrChunk chunk = new KfrChunk(workDir);
        // kfr's samples as jdk.ExecutionSample, unless the user's own recording has the JVM's
        boolean executionSamples = options.cpu() && (options.executionSamples() != null ? options.executionSamples()
                : !JvmRecording.userStartsRecording());
        JvmRecording recording = options.file() != null ? JvmRecording.start(workDir, executionSamples) : null;
        Session session = new Session(options, workDir, chunk, recording, executionSamples);
        session.startCollectors();
        return session;
    }

    private void startCollectors() {
        if (options.offCpu()) {
            try {
                offCpu = OffCpuCollector.start((int) ProcessHandle.current().pid(), options.offCpuConfig(), threads,
                        new Forward());
                Log.info("off-CPU collector running (" + offCpu.attachMode() + ", threshold "
                        + Durations.format(options.offCpuConfig().thresholdNanos()) + ")");
                String java = offCpu.javaFramesStatus();
                if (!java.isEmpty() && options.offCpuConfig().javaFrames()) {
                    Log.error("Java frames off: " + java + "; off-CPU stacks end at the native frames");
                }
            } catch (CollectorException e) {
                Log.error(e.getMessage());
            }
        }
        if (options.cpu()) {
            try {
                cpu = CpuCollector.start((int) ProcessHandle.current().pid(), options.cpuConfig(), threads, new ForwardCpu());
                Log.info("CPU sampler running (" + cpu.event() + ", every " + (options.cpuConfig().eventCount() > 0
                        ? options.cpuConfig().eventCount() + " events" : Durations.format(options.cpuConfig().intervalNanos()))
                        + (executionSamples ? ", also as jdk.ExecutionSample" : "") + ")");
            } catch (CollectorException e) {
                Log.error(e.getMessage());
            }
        }
    }

    boolean collecting() {
        return offCpu != null || cpu != null;
    }

    /** Stops the collectors and writes the output file; called once, from the shutdown hook. */
    synchronized void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        if (offCpu != null) {
            offCpu.close();
            if (offCpu.failure() != null) {
                Log.error("off-CPU collector failed: " + offCpu.failure());
            }
        }
        if (cpu != null) {
            cpu.close();
            if (cpu.failure() != null) {
                Log.error("CPU sampler failed: " + cpu.failure());
            }
        }
        boolean keepWorkDir = false;
        if (options.file() != null) {
            keepWorkDir = !writeFile(options.file());
        }
        chunk.close();
        if (!keepWorkDir) {
            deleteWorkDir();
        }
    }

    private boolean writeFile(Path target) {
        Path jvmData;
        try {
            jvmData = jvmRecording.finish();
        } catch (IOException | RuntimeException e) {
            Log.error("cannot get the JVM's recording (" + e.getMessage() + "); " + target + " not written");
            return true;
        }
        try {
            JfrFiles.mergeAtomically(jvmData, chunk, target);
            Log.info("wrote " + target + " (JVM recording + " + chunk.eventCount() + " kfr events)");
            return true;
        } catch (IOException | RuntimeException e) {
            Log.error(e.getMessage() + "; the JVM's recording is kept at " + jvmData);
            return false;
        }
    }

    private void deleteWorkDir() {
        try (Stream<Path> files = Files.walk(workDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp dir left behind is harmless
        }
    }

    /** Routes CPU samples to kfr's chunk. */
    private final class ForwardCpu implements CpuListener {
        @Override
        public void onSample(CpuSample sample) {
            chunk.addCpuSample(sample, executionSamples);
        }

        @Override
        public void onStatistics(CollectorStatistics statistics) {
            chunk.addStatistics(statistics);
        }
    }

    /** Routes collector output to kfr's chunk and the live summaries. */
    private final class Forward implements OffCpuListener {
        @Override
        public void onSample(OffCpuSample sample) {
            chunk.addOffCpu(sample);
            summaries.add(sample);
        }

        @Override
        public void onStatistics(CollectorStatistics statistics) {
            chunk.addStatistics(statistics);
            summaries.commitPeriod();
        }
    }
}
