package io.kfr.jfr;

import io.kfr.events.KfrEventNames;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kfr.collectors.CollectorStatistics;
import io.kfr.collectors.Counter;
import io.kfr.collectors.OffCpuSample;
import io.kfr.collectors.OffCpuState;
import io.kfr.collectors.StackTrace;
import io.kfr.collectors.ThreadRef;

import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Events spooled out of order, as kfr's are (intervals at switch-in, aggregated samples at the end
 * of their period), come out of the chunk in end-time order, and every reader sees each of them
 * once with its own times. JMC's parser (DisjointBuilder) loses or duplicates events of a duration
 * type when end times repeat, unless they arrive in end order; the samples here repeat starts and
 * ends as kfr's do (one timestamp for prev's switch-out and next's switch-in, switches at the same
 * nanosecond on different CPUs, aggregated samples starting together).
 */
class ChunkOrderTest {
    private static final long MILLI = 1_000_000L;

    private static JvmRecordings.Recording jvm;
    private static TimeBase tb;

    @TempDir
    Path dir;

    @BeforeAll
    static void recording() throws Exception {
        jvm = JvmRecordings.of(17);
        tb = TimeBase.ofFirstChunk(jvm.file());
    }

    @ParameterizedTest(name = "shuffled: {0}")
    @ValueSource(booleans = {true, false})
    void everyReaderSeesEveryEventOnceInEndOrder(boolean shuffled) throws Exception {
        Random r = new Random(shuffled ? 1 : 2);
        List<OffCpuSample> spooled = switchingSamples(r);
        if (shuffled) {
            Collections.shuffle(spooled, r);
        }
        assertTrue(spooled.size() > 10_000, "" + spooled.size());
        List<CollectorStatistics> statistics = new ArrayList<>();
        for (int i = 9; i >= 0; i--) { // newest first
            CollectorStatistics.Builder b = CollectorStatistics.builder("offcpu");
            for (Counter c : KfrEventTypes.STATISTICS_COUNTERS.subList(0, 18)) {
                b.put(c, i);
            }
            statistics.add(b.build(tb.startNanos() + MILLI * i / 4));
        }
        // The sample's count field is its unique id here; its position in the spool decides ties.
        Map<Long, OffCpuSample> byId = new HashMap<>();
        Map<Long, Integer> spoolPosition = new HashMap<>();
        for (int i = 0; i < spooled.size(); i++) {
            byId.put(spooled.get(i).count(), spooled.get(i));
            spoolPosition.put(spooled.get(i).count(), i);
        }
        assertTrue(spooled.size() - spooled.stream().mapToLong(s -> s.startEpochNanos() + s.durationNanos()).distinct().count() > 1000,
                "end times repeat");
        Path file = dir.resolve("out-of-order.jfr");
        try (KfrChunk chunk = new KfrChunk(dir.resolve("spool"))) {
            for (int i = 0; i < spooled.size(); i++) {
                chunk.addOffCpu(spooled.get(i));
                if (i % 500 == 0 && i / 500 < statistics.size()) {
                    chunk.addStatistics(statistics.get(i / 500));
                }
            }
            JfrFiles.mergeAtomically(jvm.file(), chunk, file);
        }

        // The JDK reader, in file order: every event once, ends never decrease, ties in spool order.
        List<RecordedEvent> all = RecordingFile.readAllEvents(file);
        List<RecordedEvent> offCpu = all.stream().filter(e -> e.getEventType().getName().equals(KfrEventNames.OFF_CPU)).toList();
        assertEquals(spooled.size(), offCpu.size());
        Set<Long> seen = new HashSet<>();
        RecordedEvent previous = null;
        for (RecordedEvent e : offCpu) {
            long id = e.getLong("count");
            OffCpuSample s = byId.get(id);
            assertNotNull(s, "unknown id " + id);
            assertTrue(seen.add(id), "id " + id + " twice");
            assertEquals(s.startEpochNanos(), epochNanos(e.getStartTime()));
            assertEquals(s.startEpochNanos() + s.durationNanos(), epochNanos(e.getEndTime()));
            assertEquals(s.thread().tid(), e.getThread().getOSThreadId());
            if (previous != null) {
                int order = previous.getEndTime().compareTo(e.getEndTime());
                assertTrue(order <= 0, "end " + e.getEndTime() + " after " + previous.getEndTime());
                if (order == 0) {
                    assertTrue(spoolPosition.get(previous.getLong("count")) < spoolPosition.get(id), "tie kept spool order");
                }
            }
            previous = e;
        }
        List<Instant> statisticsTimes = all.stream()
                .filter(e -> e.getEventType().getName().equals(KfrEventNames.COLLECTOR_STATISTICS)).map(RecordedEvent::getStartTime).toList();
        assertEquals(statistics.size(), statisticsTimes.size());
        assertEquals(statisticsTimes.stream().sorted().toList(), statisticsTimes);

        // JMC: every event exactly once, with its own start, duration and thread.
        JmcReader jmc = new JmcReader(file.toFile());
        List<JmcReader.Event> events = jmc.events(KfrEventNames.OFF_CPU);
        assertEquals(spooled.size(), events.size());
        Set<Long> jmcSeen = new HashSet<>();
        for (JmcReader.Event e : events) {
            long id = ((Number) e.get("count")).longValue();
            OffCpuSample s = byId.get(id);
            assertNotNull(s, "unknown id " + id);
            assertTrue(jmcSeen.add(id), "JMC has id " + id + " twice");
            assertEquals(s.startEpochNanos(), e.epochNanos("startTime"), "start of " + id);
            assertEquals(s.durationNanos(), e.nanos("duration"), "duration of " + id);
            assertEquals((long) s.thread().tid(), JmcReader.osThreadId(e.thread()));
            assertEquals(s.aggregated(), e.get("aggregated"));
        }
        assertEquals(statistics.size(), jmc.events(KfrEventNames.COLLECTOR_STATISTICS).size());
    }

    /** Batches of one record, reads of one record, or no merged reads: the same bytes as the default. */
    @Test
    void tinyBatchesAndReadsWriteTheSameChunk() throws Exception {
        Random r = new Random(3);
        List<OffCpuSample> spooled = switchingSamples(r);
        Collections.shuffle(spooled, r);
        try (KfrChunk chunk = new KfrChunk(dir.resolve("spool"))) {
            spooled.forEach(chunk::addOffCpu);
            byte[] expected = write(chunk, ChunkWriter.Limits.DEFAULT);
            int max = SpoolIndex.MAX_RECORD_BYTES;
            for (ChunkWriter.Limits limits : List.of(
                    new ChunkWriter.Limits(max, 1, max, 0),
                    new ChunkWriter.Limits(max, 7, max, 40),
                    new ChunkWriter.Limits(1000, 1000, max, 1 << 20),
                    new ChunkWriter.Limits(4096, 100, 1024, 64),
                    new ChunkWriter.Limits(1 << 20, ChunkWriter.BATCH_EVENTS, 300, 0))) {
                assertArrayEquals(expected, write(chunk, limits), limits.toString());
            }
        }
    }

    private static byte[] write(KfrChunk chunk, ChunkWriter.Limits limits) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        chunk.writeChunk(out, tb, limits);
        return out.toByteArray();
    }

    /**
     * 40 threads of one process on 4 CPUs, in spool order: at each switch the CPU's previous
     * thread goes off-CPU and the next one's interval ends, at the same nanosecond; a third of the
     * switches happen at the same nanosecond as the one before (on another CPU). Every 20 us a few
     * aggregated samples, starting at the period's start, durations whole microseconds, spooled at
     * the period's end. count is a unique id.
     */
    private static List<OffCpuSample> switchingSamples(Random r) {
        int cpus = 4;
        ThreadRef[] threads = new ThreadRef[40];
        threads[0] = new ThreadRef(jvm.mainTid(), "main", 1, "main");
        for (int i = 1; i < threads.length; i++) {
            threads[i] = i % 3 == 0 ? new ThreadRef(920_000 + i, "native-" + i, -1, null)
                    : new ThreadRef(920_000 + i, "worker-" + i, 100 + i, "worker-" + i);
        }
        StackTrace[] stacks = {TestSamples.FULL, TestSamples.ODD, TestSamples.KERNEL_ONLY, StackTrace.EMPTY};
        OffCpuState[] states = OffCpuState.values();
        long base = tb.startNanos() + MILLI;
        long period = 20_000;
        long[] offSince = new long[threads.length];
        Arrays.fill(offSince, base);
        int[] running = new int[cpus];
        Arrays.fill(running, -1);
        List<Integer> ready = new ArrayList<>();
        for (int i = 0; i < threads.length; i++) {
            ready.add(i);
        }
        List<OffCpuSample> samples = new ArrayList<>();
        long id = 1;
        long t = base;
        long periodStart = base;
        for (int step = 0; step < 15_000; step++) {
            t += r.nextInt(3) == 0 ? 0 : 1 + r.nextInt(300);
            int cpu = r.nextInt(cpus);
            int prev = running[cpu];
            Integer next = ready.isEmpty() ? null : ready.remove(r.nextInt(ready.size()));
            if (prev >= 0) {
                offSince[prev] = t;
                ready.add(prev);
            }
            running[cpu] = next == null ? -1 : next;
            if (next != null && t > offSince[next]) {
                samples.add(new OffCpuSample(threads[next], offSince[next], t - offSince[next], states[r.nextInt(states.length)],
                        202, "futex", id++, false, stacks[r.nextInt(stacks.length)]));
            }
            if (t - periodStart >= period) {
                for (int k = r.nextInt(8); k > 0; k--) {
                    samples.add(new OffCpuSample(threads[r.nextInt(threads.length)], periodStart, 1_000L * (1 + r.nextInt(30)),
                            states[k % states.length], -1, null, id++, true, stacks[k % stacks.length]));
                }
                periodStart = t;
            }
        }
        return samples;
    }

    private static long epochNanos(Instant i) {
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }
}
