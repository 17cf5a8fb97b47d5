package io.kfr.jfr;

import io.kfr.events.KfrEventNames;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kfr.collectors.CollectorCounters;
import io.kfr.collectors.CollectorStatistics;
import io.kfr.collectors.hotspot.JavaWalkCounters;
import io.kfr.collectors.offcpu.OffCpuCounters;
import io.kfr.collectors.Frame;
import io.kfr.collectors.FrameType;
import io.kfr.collectors.OffCpuSample;
import io.kfr.collectors.StackTrace;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import jdk.jfr.EventType;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.openjdk.jmc.common.IMCFrame;
import org.openjdk.jmc.common.IMCStackTrace;
import org.openjdk.jmc.common.IMCThread;
import org.openjdk.jmc.common.item.IItemCollection;
import org.openjdk.jmc.common.item.ItemFilters;
import org.openjdk.jmc.flightrecorder.JfrAttributes;

/**
 * A JDK 17 and a JDK 25 recording, each merged with a kfr chunk of a few thousand samples, read
 * back by every reader that matters: JMC's parser, RecordingFile of JDK 17 (in process) and JDK 25
 * (child process), and the jfr tool of both JDKs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MergedRecordingTest {
    private static final int SAMPLES = 3000;
    private static final long ONE_MICRO = 1_000;

    private record Merged(JvmRecordings.Recording jvm, TimeBase tb, TestSamples samples, Path file) {
    }

    private final Map<Integer, Merged> merged = new HashMap<>();

    @BeforeAll
    void merge() throws Exception {
        Path work = JvmRecordings.workDir();
        for (int feature : new int[] {17, 25}) {
            JvmRecordings.Recording jvm = JvmRecordings.of(feature);
            TimeBase tb = TimeBase.ofFirstChunk(jvm.file());
            TestSamples samples = new TestSamples(tb, jvm.mainTid(), SAMPLES);
            Path target = work.resolve("merged" + feature + ".jfr");
            try (KfrChunk chunk = samples.fill(new KfrChunk(work.resolve("spool")))) {
                assertEquals(SAMPLES + samples.statistics.size(), chunk.eventCount());
                JfrFiles.mergeAtomically(jvm.file(), chunk, target);
            }
            assertEquals(Files.size(jvm.file()), Files.mismatch(jvm.file(), target), "JVM recording copied as-is");
            merged.put(feature, new Merged(jvm, tb, samples, target));
        }
    }

    // ---- JMC --------------------------------------------------------------------------------

    @ParameterizedTest(name = "JMC reads JDK {0} + kfr")
    @ValueSource(ints = {17, 25})
    void jmcReadsEventsFramesAndThreads(int feature) throws Exception {
        Merged m = merged.get(feature);
        JmcReader jmc = new JmcReader(m.file().toFile());
        List<JmcReader.Event> events = jmc.events(KfrEventNames.OFF_CPU);
        assertEquals(SAMPLES, events.size());
        assertEquals(m.samples().statistics.size(), jmc.events(KfrEventNames.COLLECTOR_STATISTICS).size());
        assertFalse(jmc.events("jdk.ThreadSleep").isEmpty(), "the JVM's own events are still there");

        // Every event, matched to its sample by start time (unique per sample).
        Map<Long, OffCpuSample> byStart = m.samples().offCpu.stream()
                .collect(Collectors.toMap(OffCpuSample::startEpochNanos, s -> s));
        double millis = 0;
        for (JmcReader.Event e : events) {
            OffCpuSample s = byStart.get(e.epochNanos("startTime"));
            assertNotNull(s, "no sample starts at " + e.epochNanos("startTime"));
            assertEquals(s.durationNanos(), e.nanos("duration"));
            assertEquals(s.durationNanos() / 1e6, e.number("offCpuMillis"), 1e-9);
            assertEquals(s.state().name(), e.get("state"));
            assertEquals(KfrEventTypes.describe(s.state()), e.get("stateDescription"));
            assertEquals(s.count(), ((Number) e.get("count")).longValue());
            assertEquals(s.aggregated(), e.get("aggregated"));
            assertEquals(TestSamples.syscallField(s), e.get("syscall"));
            IMCThread t = e.thread();
            assertEquals((long) s.thread().tid(), JmcReader.osThreadId(t));
            assertEquals(s.thread().displayName(), t.getThreadName());
            assertEquals(s.thread().isJava() ? s.thread().javaThreadId() : 0L, t.getThreadId());
            assertFrames(s.stack(), (IMCStackTrace) e.get("stackTrace"));
            millis += e.number("offCpuMillis");
        }
        assertEquals(m.samples().offCpu.stream().mapToLong(OffCpuSample::durationNanos).sum() / 1e6, millis, 1e-6);

        // The main thread in kfr's chunk is the JVM's main thread to JMC: filtering by the thread
        // of a JVM event (jdk.ThreadSleep on main) finds kfr's events of that tid.
        IMCThread jvmMain = jmc.events("jdk.ThreadSleep").stream().map(JmcReader.Event::thread)
                .filter(t -> "main".equals(t.getThreadName())).findFirst().orElseThrow();
        assertEquals((long) m.jvm().mainTid(), JmcReader.osThreadId(jvmMain));
        IItemCollection onMain = jmc.items.apply(ItemFilters.and(ItemFilters.type(KfrEventNames.OFF_CPU),
                ItemFilters.equals(JfrAttributes.EVENT_THREAD, jvmMain)));
        assertEquals(m.samples().countOn(m.samples().main), onMain.stream().mapToLong(i -> i.getItemCount()).sum());

        JmcReader.Event stats = jmc.events(KfrEventNames.COLLECTOR_STATISTICS).get(4);
        CollectorStatistics expected = m.samples().statistics.get(4);
        assertEquals(expected.epochNanos(), stats.epochNanos("startTime"));
        assertEquals("offcpu", stats.get("collector"));
        assertEquals(expected.javaFramesSelfTest(), stats.get("javaFramesSelfTest"));
        assertEquals(expected.get(CollectorCounters.BPF_RUN_COUNT), ((Number) stats.get("bpfRunCount")).longValue());
        assertEquals(expected.get(CollectorCounters.BPF_RUN_TIME), stats.nanos("bpfRunTime"));
        assertEquals(expected.get(OffCpuCounters.DROPPED_TIME), stats.nanos("droppedTime"));
        assertEquals(expected.get(CollectorCounters.UNKNOWN_FRAMES), ((Number) stats.get("unknownFrames")).longValue());
        assertEquals(expected.get(CollectorCounters.STACK_WALKS), ((Number) stats.get("stackWalks")).longValue());
        assertEquals(expected.get(OffCpuCounters.STACK_CACHE_HITS), ((Number) stats.get("stackCacheHits")).longValue());
        assertEquals(expected.get(OffCpuCounters.STORAGE_FALLBACKS), ((Number) stats.get("storageFallbacks")).longValue());
        assertEquals(expected.get(OffCpuCounters.STORAGE_ERRORS), ((Number) stats.get("storageErrors")).longValue());
        assertEquals(expected.get(OffCpuCounters.MISSED_SWITCH_INS), ((Number) stats.get("missedSwitchIns")).longValue());
        assertEquals(expected.get(OffCpuCounters.INTERVALS_MISSED), ((Number) stats.get("intervalsMissed")).longValue());
        assertEquals(expected.get(CollectorCounters.RECURSION_MISSES), ((Number) stats.get("recursionMisses")).longValue());
        assertEquals(expected.get(OffCpuCounters.EXCLUDED_SWITCHES), ((Number) stats.get("excludedSwitches")).longValue());
        assertEquals(expected.get(CollectorCounters.COLLECTOR_CPU_TIME), stats.nanos("collectorCpuTime"));
        assertEquals(expected.get(JavaWalkCounters.WALKS), ((Number) stats.get("javaWalks")).longValue());
        assertEquals(expected.get(JavaWalkCounters.WALK_TIME), stats.nanos("javaWalkTime"));
        assertEquals(expected.get(JavaWalkCounters.CACHE_HITS), ((Number) stats.get("javaCacheHits")).longValue());
        assertEquals(expected.get(JavaWalkCounters.STACKS_LOST), ((Number) stats.get("javaStacksLost")).longValue());
    }

    static void assertFrames(StackTrace expected, IMCStackTrace actual) {
        if (expected.frames().isEmpty()) {
            assertNull(actual);
            return;
        }
        assertEquals(expected.truncated(), actual.getTruncationState().isTruncated());
        List<? extends IMCFrame> frames = actual.getFrames();
        assertEquals(expected.frames().size(), frames.size());
        for (int i = 0; i < frames.size(); i++) {
            Frame f = expected.frames().get(i);
            IMCFrame a = frames.get(i);
            assertEquals(TestSamples.shownClass(f), a.getMethod().getType().getFullName());
            assertEquals(f.method(), a.getMethod().getMethodName());
            assertEquals(jmcType(f.type()), a.getType());
            assertEquals(f.line(), a.getFrameLineNumber());
            assertEquals(f.bci(), a.getBCI());
        }
    }

    static IMCFrame.Type jmcType(FrameType t) {
        return switch (t) {
            case KERNEL -> IMCFrame.Type.KERNEL;
            case NATIVE, UNKNOWN, JAVA_NATIVE -> IMCFrame.Type.NATIVE;
            case CPP -> IMCFrame.Type.CPP;
            case INTERPRETED -> IMCFrame.Type.INTERPRETED;
            case JIT_COMPILED -> IMCFrame.Type.JIT_COMPILED;
            case INLINED -> IMCFrame.Type.INLINED;
        };
    }

    // ---- jdk.jfr.consumer.RecordingFile ------------------------------------------------------

    @ParameterizedTest(name = "RecordingFile (JDK 17, in process) reads JDK {0} + kfr")
    @ValueSource(ints = {17, 25})
    void recordingFileInProcess(int feature) throws Exception {
        Merged m = merged.get(feature);
        try (RecordingFile rf = new RecordingFile(m.file())) {
            Set<String> types = rf.readEventTypes().stream().map(EventType::getName).collect(Collectors.toSet());
            assertTrue(types.contains(KfrEventNames.OFF_CPU), "readEventTypes() lists kfr.OffCpu");
            assertTrue(types.contains(KfrEventNames.COLLECTOR_STATISTICS));
            assertTrue(types.contains("jdk.ThreadSleep"));
        }
        List<RecordedEvent> all = RecordingFile.readAllEvents(m.file());
        List<RecordedEvent> kfr = all.stream().filter(e -> e.getEventType().getName().equals(KfrEventNames.OFF_CPU)).toList();
        assertEquals(SAMPLES, kfr.size());
        // Within one chunk events come back in file order: by end time, ties in the order added.
        List<OffCpuSample> inChunkOrder = m.samples().offCpuInChunkOrder();
        for (int i = 0; i < SAMPLES; i++) {
            OffCpuSample s = inChunkOrder.get(i);
            RecordedEvent e = kfr.get(i);
            long startError = Math.abs(nanos(e.getStartTime()) - s.startEpochNanos());
            assertTrue(startError <= ONE_MICRO, "start time off by " + startError + " ns");
            assertTrue(Math.abs(nanos(e.getEndTime()) - (s.startEpochNanos() + s.durationNanos())) <= ONE_MICRO);
            assertEquals(s.thread().tid(), e.getThread().getOSThreadId());
            assertEquals(s.thread().isJava() ? s.thread().javaName() : null, e.getThread().getJavaName());
            if (s.thread().isJava()) {
                assertEquals(s.thread().javaThreadId(), e.getThread().getJavaThreadId());
            } else { // as for the JVM's own native threads: JDK 17 says 0, JDK 25 maps that to -1
                assertTrue(e.getThread().getJavaThreadId() <= 0);
            }
            assertEquals(s.state().name(), e.getString("state"));
            assertEquals(s.durationNanos() / 1e6, e.getDouble("offCpuMillis"), 1e-9);
            assertEquals(TestSamples.syscallField(s), e.getString("syscall"));
            if (s.stack().frames().isEmpty()) {
                assertNull(e.getStackTrace());
            } else {
                List<RecordedFrame> frames = e.getStackTrace().getFrames();
                assertEquals(s.stack().frames().size(), frames.size());
                for (int f = 0; f < frames.size(); f++) {
                    Frame x = s.stack().frames().get(f);
                    assertEquals(TestSamples.shownClass(x), frames.get(f).getMethod().getType().getName());
                    assertEquals(x.method(), frames.get(f).getMethod().getName());
                    assertEquals(x.type().jfrName(), frames.get(f).getType());
                }
            }
        }
        assertEquals(m.samples().statistics.size(),
                all.stream().filter(e -> e.getEventType().getName().equals(KfrEventNames.COLLECTOR_STATISTICS)).count());
        RecordedEvent sleep = all.stream().filter(e -> e.getEventType().getName().equals("jdk.ThreadSleep")).findFirst().orElseThrow();
        assertEquals(m.jvm().mainTid(), sleep.getThread().getOSThreadId(), "the JVM chunk is intact");
    }

    @ParameterizedTest(name = "RecordingFile of JDK 25 (child process) reads JDK {0} + kfr")
    @ValueSource(ints = {17, 25})
    void recordingFileOfJdk25(int feature) throws Exception {
        Merged m = merged.get(feature);
        List<String> cmd = List.of(JvmRecordings.jdkHome(25).resolve("bin/java").toString(), "-cp",
                JvmRecordings.testClasses().toString(), RecordingChecker.class.getName(), m.file().toString());
        String out = Processes.runOk(JvmRecordings.workDir(), cmd).stdout();
        assertTrue(out.lines().anyMatch(l -> l.equals("T " + KfrEventNames.OFF_CPU)), "readEventTypes() lists kfr.OffCpu");
        assertTrue(out.lines().anyMatch(l -> l.equals("C " + KfrEventNames.OFF_CPU + " " + SAMPLES)), out.lines().filter(l -> l.startsWith("C kfr")).toList().toString());
        assertTrue(out.lines().anyMatch(l -> l.equals("C " + KfrEventNames.COLLECTOR_STATISTICS + " 5")));
        List<long[]> events = out.lines().filter(l -> l.startsWith("E ")).map(l -> {
            String[] p = l.split(" ");
            return new long[] {Long.parseLong(p[1]), Long.parseLong(p[2]), Long.parseLong(p[3]), Long.parseLong(p[4])};
        }).toList();
        assertEquals(SAMPLES, events.size());
        List<OffCpuSample> inChunkOrder = m.samples().offCpuInChunkOrder();
        for (int i = 0; i < SAMPLES; i++) {
            OffCpuSample s = inChunkOrder.get(i);
            long[] e = events.get(i);
            assertTrue(Math.abs(e[0] - s.startEpochNanos()) <= ONE_MICRO,
                    "JDK 25 start time off by " + (e[0] - s.startEpochNanos()) + " ns (time base of the first chunk?)");
            assertTrue(Math.abs(e[1] - s.durationNanos()) <= ONE_MICRO);
            assertEquals(s.thread().tid(), e[2]);
            assertEquals(s.stack().frames().size(), e[3]);
        }
    }

    // ---- the jfr tool ---------------------------------------------------------------------------

    @ParameterizedTest(name = "jfr summary/print of JDK 17 and 25 on JDK {0} + kfr")
    @ValueSource(ints = {17, 25})
    void jfrToolOfBothJdks(int feature) throws Exception {
        Merged m = merged.get(feature);
        for (int tool : new int[] {17, 25}) {
            String jfr = JvmRecordings.jdkHome(tool).resolve("bin/jfr").toString();
            String summary = Processes.runOk(JvmRecordings.workDir(), List.of(jfr, "summary", m.file().toString())).stdout();
            assertEquals(SAMPLES, summaryCount(summary, KfrEventNames.OFF_CPU), "jfr " + tool + " summary:\n" + summary);
            assertEquals(5, summaryCount(summary, KfrEventNames.COLLECTOR_STATISTICS));
            assertFalse(summary.contains("missing event metadata"), summary);
            assertTrue(summaryCount(summary, "jdk.ThreadSleep") > 0, "JVM events named right by jfr " + tool);

            String print = Processes.runOk(JvmRecordings.workDir(),
                    List.of(jfr, "print", "--events", KfrEventNames.OFF_CPU, m.file().toString())).stdout();
            assertEquals(SAMPLES, count(print, "kfr.OffCpu {"));
            assertTrue(print.contains("kernel.__schedule()"), "kernel frames printed by jfr " + tool);
            assertTrue(print.contains("libc.so.6.__futex_abstimed_wait_common()"));
            assertTrue(print.contains("syscall = \"" + TestSamples.MARKER_SYSCALL + "\""));
            assertTrue(print.contains("eventThread = \"main\" (javaThreadId = 1)"));
            assertTrue(print.contains("eventThread = \"GC Thread#0\" (osThreadId = 900002)"), "native thread");
            assertTrue(print.contains("wörker-λ-日本") || print.contains("w\\u00f6rker"), "UTF-8 thread name");
        }
    }

    @ParameterizedTest(name = "jfr print --json of JDK 25 on JDK {0} + kfr: times in the first chunk's base")
    @ValueSource(ints = {17, 25})
    void jfrJsonOfJdk25KeepsTimes(int feature) throws Exception {
        Merged m = merged.get(feature);
        String jfr = JvmRecordings.jdkHome(25).resolve("bin/jfr").toString();
        String json = Processes.runOk(JvmRecordings.workDir(), List.of(jfr, "print", "--json", "--stack-depth", "3",
                "--events", KfrEventNames.OFF_CPU, m.file().toString())).stdout();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> events = (List<Map<String, Object>>) ((Map<String, Object>) ((Map<String, Object>) MiniJson.parse(json))
                .get("recording")).get("events");
        assertEquals(SAMPLES, events.size());
        List<Map<String, Object>> markers = new ArrayList<>();
        for (Map<String, Object> e : events) {
            @SuppressWarnings("unchecked")
            Map<String, Object> values = (Map<String, Object>) e.get("values");
            if (TestSamples.MARKER_SYSCALL.equals(values.get("syscall"))) {
                markers.add(values);
            }
        }
        assertEquals(1, markers.size());
        Map<String, Object> marker = markers.get(0);
        long start = nanos(Instant.parse((String) marker.get("startTime")));
        long expected = m.tb().startNanos() + TestSamples.MARKER_OFFSET_NANOS;
        assertTrue(Math.abs(start - expected) <= ONE_MICRO, "JDK 25 JSON start time off by " + (start - expected) + " ns");
        assertEquals(java.time.Duration.ofNanos(TestSamples.MARKER_DURATION_NANOS), java.time.Duration.parse((String) marker.get("duration")));
        @SuppressWarnings("unchecked")
        Map<String, Object> thread = (Map<String, Object>) marker.get("eventThread");
        assertEquals((long) m.jvm().mainTid(), thread.get("osThreadId"));
        assertEquals("D", marker.get("state"));
    }

    private static int summaryCount(String summary, String type) {
        Matcher matcher = Pattern.compile("^\\s*" + Pattern.quote(type) + "\\s+(\\d+)\\s+\\d+\\s*$", Pattern.MULTILINE).matcher(summary);
        return matcher.find() ? Integer.parseInt(matcher.group(1)) : -1;
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + needle.length())) {
            n++;
        }
        return n;
    }

    static long nanos(Instant i) {
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }
}
