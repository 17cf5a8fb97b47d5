package io.kfr.collectors.offcpu;

import io.kfr.collectors.Tids;

import io.kfr.collectors.Clocks;
import io.kfr.collectors.CollectorException;
import io.kfr.collectors.CollectorCounters;
import io.kfr.collectors.CollectorStatistics;
import io.kfr.collectors.OffCpuSample;
import io.kfr.collectors.OffCpuState;
import io.kfr.collectors.threads.ThreadDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The off-CPU collector in this very JVM, with the real BPF program (needs root or CAP_BPF +
 * CAP_PERFMON; CI runs as root). It fails, not skips, when the program cannot be loaded.
 */
class OffCpuCollectorTest {
    private static final int SLEEPS = 10;
    private static final long SLEEP_MILLIS = 20;
    /** At most 15 bytes: the kernel's comm keeps the whole name, so every source agrees. */
    private static final String SHORT_LIVED = "kfr-shortlived";

    /** Collects the collector's output; called on the collector's thread only. */
    private static final class Recorder implements OffCpuListener {
        final List<OffCpuSample> samples = new ArrayList<>();
        final List<CollectorStatistics> statistics = new ArrayList<>();

        @Override
        public synchronized void onSample(OffCpuSample sample) {
            samples.add(sample);
        }

        @Override
        public synchronized void onStatistics(CollectorStatistics s) {
            statistics.add(s);
        }

        synchronized List<OffCpuSample> samples() {
            return List.copyOf(samples);
        }

        synchronized List<CollectorStatistics> statistics() {
            return List.copyOf(statistics);
        }
    }

    @Test
    void recordsThisJvmAndAccountsForEveryInterval(@TempDir Path dir) throws Exception {
        ThreadDirectory threads = new ThreadDirectory();
        Recorder out = new Recorder();
        // 1 us: every wake-up of the collector's own thread would be a record if it were not excluded
        OffCpuConfig config = OffCpuConfig.defaults().withThresholdNanos(1_000).withDrainPeriodMillis(200);
        OffCpuCollector collector;
        try {
            collector = OffCpuCollector.start((int) ProcessHandle.current().pid(), config, threads, out);
        } catch (CollectorException e) {
            throw new AssertionError("the off-CPU collector must load here (root, BPF): " + e.getMessage(), e);
        }
        int collectorTid = collector.collectorTid();
        assertTrue(collectorTid > 0);

        AtomicInteger sleeperTid = new AtomicInteger();
        AtomicLong sleptNanos = new AtomicLong();
        long[] window = new long[2];
        Thread sleeper = new Thread(() -> {
            sleeperTid.set(currentTid());
            window[0] = System.nanoTime();
            for (int i = 0; i < SLEEPS; i++) {
                long t0 = System.nanoTime();
                try {
                    Thread.sleep(SLEEP_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
                sleptNanos.addAndGet(System.nanoTime() - t0);
            }
            window[1] = System.nanoTime();
        }, "kfr-test-sleeper");

        AtomicInteger shortTid = new AtomicInteger();
        Path file = dir.resolve("fsync.dat");
        Thread shortLived = new Thread(() -> {
            shortTid.set(currentTid());
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.wrap(new byte[64 * 1024]));
                ch.force(true);
                Thread.sleep(50);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        }, SHORT_LIVED);

        sleeper.start();
        shortLived.start();
        sleeper.join();
        shortLived.join();
        while (Files.exists(Path.of("/proc/self/task/" + shortTid.get()))) {
            Thread.sleep(1);
        }
        Thread.sleep(20);
        String exitName = collector.exitedThreadName(shortTid.get());
        // a periodic drain and statistics (every 200 ms once the collector's thread runs; its start
        // names the kernel's and this JVM's symbols first)
        long waitStart = System.nanoTime();
        while (out.statistics().isEmpty() && System.nanoTime() - waitStart < 10_000_000_000L) {
            Thread.sleep(20);
        }
        System.out.printf("[measure] first periodic statistics %d ms after the workload ended%n",
                (System.nanoTime() - waitStart) / 1_000_000);
        Thread.sleep(300);
        collector.close();
        assertNull(collector.failure(), () -> "collector failed: " + collector.failure());

        List<OffCpuSample> samples = out.samples();
        List<CollectorStatistics> statistics = out.statistics();
        assertTrue(statistics.size() >= 2, "periodic and final statistics: " + statistics.size());
        CollectorStatistics last = statistics.get(statistics.size() - 1);
        System.out.println("[measure] " + samples.size() + " samples; final " + last);

        // The kernel's counters, read after detach and a full drain, match what was delivered.
        long individual = samples.stream().filter(s -> !s.aggregated()).count();
        long aggregatedIntervals = samples.stream().filter(OffCpuSample::aggregated).mapToLong(OffCpuSample::count).sum();
        assertEquals(last.get(CollectorCounters.EVENTS_RECORDED), individual, "individual samples == eventsRecorded");
        assertEquals(last.get(OffCpuCounters.INTERVALS_AGGREGATED), aggregatedIntervals, "sum of aggregated counts == intervalsAggregated");
        assertTrue(samples.stream().filter(s -> !s.aggregated()).allMatch(s -> s.count() == 1));
        assertEquals(0, last.get(CollectorCounters.RECORDS_DROPPED), "aggregation map full");
        assertEquals(0, last.get(OffCpuCounters.STORAGE_ERRORS), "switch-outs not stored");
        assertEquals(0, last.get(CollectorCounters.RECURSION_MISSES), "program runs skipped");
        assertTrue(last.get(CollectorCounters.BPF_RUN_COUNT) > 0, "BPF run count (BPF_ENABLE_STATS)");
        assertTrue(last.get(OffCpuCounters.EXCLUDED_SWITCHES) > 0, "the collector thread's own switch-outs were excluded");

        // The collector's own thread is excluded in the kernel: not a single sample.
        assertEquals(List.of(), samples.stream().filter(s -> s.thread().tid() == collectorTid).toList(),
                "samples of the collector's own thread " + collectorTid);

        // The sleeper's individual intervals add up to the time it measured asleep.
        long from = Clocks.monotonicToEpochNanos(window[0]);
        long to = Clocks.monotonicToEpochNanos(window[1]);
        List<OffCpuSample> sleeps = samples.stream()
                .filter(s -> s.thread().tid() == sleeperTid.get() && !s.aggregated())
                .filter(s -> s.startEpochNanos() >= from && s.startEpochNanos() < to)
                .toList();
        long recorded = sleeps.stream().mapToLong(OffCpuSample::durationNanos).sum();
        long measured = sleptNanos.get();
        System.out.printf("[measure] sleeper: %d intervals, %.2f ms recorded, %.2f ms measured asleep%n",
                sleeps.size(), recorded / 1e6, measured / 1e6);
        assertTrue(sleeps.stream().filter(s -> s.state() == OffCpuState.S).count() >= SLEEPS, sleeps.toString());
        assertEquals(measured, recorded, measured * 0.05, "sleeper's off-CPU time within 5%");
        assertTrue(sleeps.stream().allMatch(s -> "kfr-test-sleeper".equals(s.thread().displayName())), sleeps.toString());

        // The short-lived thread: its name, kept by the kernel when it exited, and on its samples.
        assertEquals(SHORT_LIVED, exitName, "name kept at exit");
        List<OffCpuSample> shortSamples = samples.stream().filter(s -> s.thread().tid() == shortTid.get()).toList();
        assertFalse(shortSamples.isEmpty(), "samples of the short-lived thread");
        assertTrue(shortSamples.stream().anyMatch(s -> s.durationNanos() >= 45_000_000L), shortSamples.toString());
        for (OffCpuSample s : shortSamples) {
            assertEquals(SHORT_LIVED, s.thread().displayName(), s.toString());
        }
        System.out.println("[measure] short-lived thread named as " + shortSamples.get(0).thread()
                + (shortSamples.get(0).thread().isJava() ? " (JVM thread dump)" : " (/proc or the name kept at exit)"));
    }

    private static int currentTid() {
        int tid = Tids.current();
        if (tid <= 0) {
            throw new IllegalStateException("cannot read /proc/thread-self");
        }
        return tid;
    }
}
