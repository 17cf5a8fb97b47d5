package io.kfr.jfr;

import io.kfr.events.KfrEventNames;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kfr.collectors.CpuSample;
import io.kfr.collectors.Frame;
import io.kfr.collectors.StackTrace;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.openjdk.jmc.common.IMCFrame;
import org.openjdk.jmc.common.IMCStackTrace;
import org.openjdk.jmc.common.IMCThread;
import org.openjdk.jmc.common.item.IItem;
import org.openjdk.jmc.common.item.IItemCollection;
import org.openjdk.jmc.common.item.IItemIterable;
import org.openjdk.jmc.common.item.IMemberAccessor;
import org.openjdk.jmc.common.item.IType;
import org.openjdk.jmc.common.unit.IQuantity;
import org.openjdk.jmc.common.unit.UnitLookup;
import org.openjdk.jmc.flightrecorder.JfrAttributes;
import org.openjdk.jmc.flightrecorder.jdk.JdkFilters;
import org.openjdk.jmc.flightrecorder.jdk.JdkTypeIDs;
import org.openjdk.jmc.flightrecorder.stacktrace.FrameSeparator;
import org.openjdk.jmc.flightrecorder.stacktrace.StacktraceFrame;
import org.openjdk.jmc.flightrecorder.stacktrace.StacktraceModel;

/**
 * kfr.CpuSample events, and the same samples as jdk.ExecutionSample, in kfr's chunk merged with
 * real JDK 17 and 25 recordings, read back by JMC's parser, RecordingFile of JDK 17 (in process)
 * and 25 (child process) and the jfr tool of both JDKs. The "busy" recordings hold the JVM's own
 * jdk.ExecutionSample events (another type id, the same type name) next to kfr's: every reader
 * must see both sets, whole, and JMC must see them as one type (its Method Profiling page).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CpuSampleRecordingTest {
    private static final int OFF_CPU = 1000;
    private static final int CPU = 2000;
    private static final long ONE_MICRO = 1_000;
    private static final String RUNNABLE = "STATE_RUNNABLE";

    /**
     * One merged file: a JVM recording (busy: of {@link BusyMain}, with the JVM's own samples),
     * kfr's samples, with or without jdk.ExecutionSample.
     */
    private record Case(JvmRecordings.Recording jvm, boolean busy, boolean asExecutionSample, TestSamples samples, List<CpuSample> cpu,
                        long jvmExecutionSamples, Path file) {

        long kfrExecutionSamples() {
            return asExecutionSample ? CPU : 0;
        }

        /** kfr's samples by time (each has a time of its own). */
        Map<Long, CpuSample> byTime() {
            return cpu.stream().collect(Collectors.toMap(CpuSample::epochNanos, s -> s));
        }
    }

    private final Map<String, Case> cases = new HashMap<>();

    @TempDir
    Path dir;

    @BeforeAll
    void merge() throws Exception {
        Path work = JvmRecordings.workDir();
        for (String name : List.of("busy17+es", "busy25+es", "jvm17+es", "jvm17", "jvm25")) {
            int feature = name.contains("17") ? 17 : 25;
            boolean busy = name.startsWith("busy");
            JvmRecordings.Recording jvm = busy ? JvmRecordings.busy(feature) : JvmRecordings.of(feature);
            boolean asExecutionSample = name.endsWith("+es");
            TimeBase tb = TimeBase.ofFirstChunk(jvm.file());
            TestSamples samples = new TestSamples(tb, jvm.mainTid(), OFF_CPU);
            List<CpuSample> cpu = samples.cpuSamples(tb, CPU);
            assertEquals(CPU, cpu.stream().map(CpuSample::epochNanos).distinct().count());
            Path target = work.resolve("cpu-" + name.replace('+', '-') + ".jfr");
            try (KfrChunk chunk = new KfrChunk(work.resolve("spool"))) {
                samples.offCpu.forEach(chunk::addOffCpu);
                for (int i = cpu.size() - 1; i >= 0; i--) { // newest first: the chunk must sort them in
                    chunk.addCpuSample(cpu.get(i), asExecutionSample);
                }
                samples.statistics.forEach(chunk::addStatistics);
                assertEquals(OFF_CPU + CPU + kfrExecutionSamples(asExecutionSample) + samples.statistics.size(),
                        chunk.eventCount());
                JfrFiles.mergeAtomically(jvm.file(), chunk, target);
            }
            long jvmSamples = RecordingFile.readAllEvents(jvm.file()).stream()
                    .filter(e -> e.getEventType().getName().equals(KfrEventNames.EXECUTION_SAMPLE)).count();
            if (busy) {
                assertTrue(jvmSamples > 0, "the JVM sampled itself: " + jvm.file());
            }
            cases.put(name, new Case(jvm, busy, asExecutionSample, samples, cpu, jvmSamples, target));
        }
    }

    private static long kfrExecutionSamples(boolean asExecutionSample) {
        return asExecutionSample ? CPU : 0;
    }

    // ---- JMC --------------------------------------------------------------------------------

    @ParameterizedTest(name = "JMC reads {0}")
    @ValueSource(strings = {"busy17+es", "busy25+es", "jvm17+es", "jvm17", "jvm25"})
    void jmcReadsCpuSamples(String name) throws Exception {
        Case c = cases.get(name);
        JmcReader jmc = new JmcReader(c.file().toFile());
        assertEquals(OFF_CPU, jmc.events(KfrEventNames.OFF_CPU).size(), "off-CPU events still all there");
        List<JmcReader.Event> events = jmc.events(KfrEventNames.CPU_SAMPLE);
        assertEquals(CPU, events.size());
        Map<Long, CpuSample> byTime = c.byTime();
        Set<Long> seen = new HashSet<>();
        for (JmcReader.Event e : events) {
            CpuSample s = byTime.get(e.epochNanos("startTime"));
            assertNotNull(s, "no sample at " + e.epochNanos("startTime"));
            assertTrue(seen.add(s.epochNanos()));
            assertEquals(s.cpu(), ((Number) e.get("cpu")).intValue());
            assertEquals(s.weightNanos(), e.nanos("weight"));
            assertThread(s, e.thread());
            MergedRecordingTest.assertFrames(s.stack(), (IMCStackTrace) e.get("stackTrace"));
        }
    }

    /**
     * JMC's Method Profiling page: jdk.ExecutionSample items (JdkFilters.EXECUTION_SAMPLE), their
     * thread and stack through JfrAttributes.EVENT_THREAD / EVENT_STACKTRACE, and the stack trace
     * model it builds from them. kfr's and the JVM's samples must be one type to JMC, or kfr's
     * would land in a type named "jdk.ExecutionSample" + a UUID that nothing looks at.
     */
    @ParameterizedTest(name = "JMC Method Profiling sees kfr's samples in {0}")
    @ValueSource(strings = {"busy17+es", "busy25+es", "jvm17+es", "jvm17", "jvm25"})
    void jmcSeesExecutionSamplesAsTheJdkType(String name) throws Exception {
        Case c = cases.get(name);
        IItemCollection items = new JmcReader(c.file().toFile()).items;
        for (IItemIterable it : items) {
            String id = it.getType().getIdentifier();
            assertFalse(id.startsWith(JdkTypeIDs.EXECUTION_SAMPLE) && !id.equals(JdkTypeIDs.EXECUTION_SAMPLE),
                    "JMC split jdk.ExecutionSample into " + id);
        }
        IItemCollection samples = items.apply(JdkFilters.EXECUTION_SAMPLE);
        assertEquals(c.jvmExecutionSamples() + c.kfrExecutionSamples(), samples.stream().mapToLong(IItemIterable::getItemCount).sum());

        Map<Long, CpuSample> byTime = c.byTime();
        int kfr = 0;
        int jvm = 0;
        int jvmInBusyMain = 0;
        Set<Long> seen = new HashSet<>();
        for (IItemIterable it : samples) {
            IType<IItem> type = it.getType();
            assertEquals(JdkTypeIDs.EXECUTION_SAMPLE, type.getIdentifier());
            IMemberAccessor<IQuantity, IItem> start = JfrAttributes.START_TIME.getAccessor(type);
            IMemberAccessor<IMCThread, IItem> thread = JfrAttributes.EVENT_THREAD.getAccessor(type);
            IMemberAccessor<IMCStackTrace, IItem> stack = JfrAttributes.EVENT_STACKTRACE.getAccessor(type);
            assertNotNull(thread, "sampledThread is JMC's event thread");
            assertNotNull(stack, "stackTrace is JMC's event stack trace");
            for (IItem item : it) {
                long time = start.getMember(item).clampedLongValueIn(UnitLookup.EPOCH_NS);
                CpuSample s = byTime.get(time);
                if (s != null && JmcReader.osThreadId(thread.getMember(item)) == s.thread().tid()) {
                    assertTrue(seen.add(time), "kfr's sample at " + time + " twice");
                    assertThread(s, thread.getMember(item));
                    MergedRecordingTest.assertFrames(s.stack(), stack.getMember(item));
                    kfr++;
                } else { // the JVM's own: in a busy JVM mostly its main thread running BusyMain
                    assertFalse(stack.getMember(item).getFrames().isEmpty());
                    if (JmcReader.osThreadId(thread.getMember(item)) == c.jvm().mainTid() && stack.getMember(item).getFrames()
                            .stream().anyMatch(f -> f.getMethod().getType().getFullName().equals(BusyMain.class.getName()))) {
                        jvmInBusyMain++;
                    }
                    jvm++;
                }
                assertEquals(RUNNABLE, new JmcReader.Event(type, item).get("state"));
            }
        }
        assertEquals(c.kfrExecutionSamples(), kfr);
        assertEquals(c.jvmExecutionSamples(), jvm);
        assertEquals(c.busy(), jvmInBusyMain > 0, "the JVM's samples keep their threads and stacks");

        if (c.asExecutionSample()) {
            // The stack trace model with top frames first, as Method Profiling shows it: kfr's
            // samples with the CPU stack are one branch starting at their kernel frame.
            long withCpuStack = c.cpu().stream().filter(s -> s.stack() == TestSamples.CPU).count();
            StacktraceModel model = new StacktraceModel(false,
                    new FrameSeparator(FrameSeparator.FrameCategorization.METHOD, false), samples);
            StacktraceFrame top = Arrays.stream(model.getRootFork().getFirstFrames())
                    .filter(f -> f.getFrame().getMethod().getMethodName().equals("copy_user_enhanced_fast_string"))
                    .findFirst().orElseThrow();
            assertEquals(withCpuStack, top.getItemCount());
            assertEquals(IMCFrame.Type.KERNEL, top.getFrame().getType());
        }
    }

    private static void assertThread(CpuSample s, IMCThread t) throws ReflectiveOperationException {
        assertEquals((long) s.thread().tid(), JmcReader.osThreadId(t));
        assertEquals(s.thread().displayName(), t.getThreadName());
        assertEquals(s.thread().isJava() ? s.thread().javaThreadId() : 0L, t.getThreadId());
    }

    // ---- jdk.jfr.consumer.RecordingFile ------------------------------------------------------

    @ParameterizedTest(name = "RecordingFile (JDK 17, in process) reads {0}")
    @ValueSource(strings = {"busy17+es", "busy25+es", "jvm17+es", "jvm17", "jvm25"})
    void recordingFileInProcess(String name) throws Exception {
        Case c = cases.get(name);
        try (RecordingFile rf = new RecordingFile(c.file())) {
            List<String> types = rf.readEventTypes().stream().map(EventType::getName).toList();
            assertTrue(types.contains(KfrEventNames.CPU_SAMPLE), "readEventTypes() lists kfr.CpuSample");
            // Types are listed per id: kfr's jdk.ExecutionSample is a second entry of that name.
            assertEquals(c.asExecutionSample() ? 2 : 1, types.stream().filter(KfrEventNames.EXECUTION_SAMPLE::equals).count(), types.toString());
        }
        List<RecordedEvent> all = RecordingFile.readAllEvents(c.file());
        assertEquals(c.jvmExecutionSamples() + c.kfrExecutionSamples(), count(all, KfrEventNames.EXECUTION_SAMPLE));
        assertEquals(OFF_CPU, count(all, KfrEventNames.OFF_CPU));

        // kfr's chunk comes last: from its first event on, in file order, ends never decrease (all
        // kinds together), and each CPU sample is followed by its execution sample.
        int first = 0;
        while (!all.get(first).getEventType().getName().startsWith("kfr.")) {
            first++;
        }
        List<RecordedEvent> kfr = all.subList(first, all.size());
        assertEquals(OFF_CPU + CPU + c.kfrExecutionSamples() + c.samples().statistics.size(), kfr.size());
        for (int i = 1; i < kfr.size(); i++) {
            assertFalse(kfr.get(i).getEndTime().isBefore(kfr.get(i - 1).getEndTime()), "end order at " + i);
        }
        List<CpuSample> inTimeOrder = c.cpu().stream().sorted(Comparator.comparingLong(CpuSample::epochNanos)).toList();
        int n = 0;
        for (int i = 0; i < kfr.size(); i++) {
            RecordedEvent e = kfr.get(i);
            if (!e.getEventType().getName().equals(KfrEventNames.CPU_SAMPLE)) {
                continue;
            }
            CpuSample s = inTimeOrder.get(n++);
            assertTrue(Math.abs(MergedRecordingTest.nanos(e.getStartTime()) - s.epochNanos()) <= ONE_MICRO);
            assertEquals(e.getStartTime(), e.getEndTime(), "an instant event");
            assertEquals(s.cpu(), e.getInt("cpu"));
            assertEquals(Duration.ofNanos(s.weightNanos()), e.getDuration("weight"));
            assertEquals(s.thread().tid(), e.getThread().getOSThreadId());
            assertEquals(s.thread().isJava() ? s.thread().javaName() : null, e.getThread().getJavaName());
            assertFrames(s.stack(), e);
            if (c.asExecutionSample()) {
                RecordedEvent x = kfr.get(i + 1);
                assertEquals(KfrEventNames.EXECUTION_SAMPLE, x.getEventType().getName());
                assertEquals(e.getStartTime(), x.getStartTime());
                assertNull(x.getThread(), "no eventThread, as in the JVM's");
                assertEquals(s.thread().tid(), x.getThread("sampledThread").getOSThreadId());
                assertEquals(RUNNABLE, x.getString("state"));
                assertFrames(s.stack(), x);
            }
        }
        assertEquals(CPU, n);
        // The JVM's samples are intact: in a busy JVM most on its main thread, in BusyMain.
        long jvmInBusyMain = 0;
        for (RecordedEvent e : all.subList(0, first)) {
            if (e.getEventType().getName().equals(KfrEventNames.EXECUTION_SAMPLE)) {
                assertEquals(RUNNABLE, e.getString("state"));
                jvmInBusyMain += e.getThread("sampledThread").getOSThreadId() == c.jvm().mainTid() && e.getStackTrace().getFrames()
                        .stream().anyMatch(f -> f.getMethod().getType().getName().equals(BusyMain.class.getName())) ? 1 : 0;
            }
        }
        assertEquals(c.busy(), jvmInBusyMain > 0);
    }

    private static void assertFrames(StackTrace expected, RecordedEvent e) {
        if (expected.frames().isEmpty()) {
            assertNull(e.getStackTrace());
            return;
        }
        assertEquals(expected.truncated(), e.getStackTrace().isTruncated());
        List<RecordedFrame> frames = e.getStackTrace().getFrames();
        assertEquals(expected.frames().size(), frames.size());
        for (int f = 0; f < frames.size(); f++) {
            Frame x = expected.frames().get(f);
            RecordedFrame a = frames.get(f);
            assertEquals(TestSamples.shownClass(x), a.getMethod().getType().getName());
            assertEquals(x.method(), a.getMethod().getName());
            assertEquals(x.type().jfrName(), a.getType());
            assertEquals(x.line(), a.getLineNumber());
            assertEquals(x.bci(), a.getBytecodeIndex());
        }
    }

    @ParameterizedTest(name = "RecordingFile of JDK 25 (child process) reads {0}")
    @ValueSource(strings = {"busy17+es", "busy25+es", "jvm17+es", "jvm17", "jvm25"})
    void recordingFileOfJdk25(String name) throws Exception {
        Case c = cases.get(name);
        List<String> cmd = List.of(JvmRecordings.jdkHome(25).resolve("bin/java").toString(), "-cp",
                JvmRecordings.testClasses().toString(), RecordingChecker.class.getName(), c.file().toString());
        String out = Processes.runOk(JvmRecordings.workDir(), cmd).stdout();
        assertTrue(out.lines().anyMatch(l -> l.equals("T " + KfrEventNames.CPU_SAMPLE)), "readEventTypes() lists kfr.CpuSample");
        assertEquals(c.asExecutionSample() ? 2 : 1, out.lines().filter(l -> l.equals("T " + KfrEventNames.EXECUTION_SAMPLE)).count());
        assertTrue(out.lines().anyMatch(l -> l.equals("C " + KfrEventNames.CPU_SAMPLE + " " + CPU)), out);

        Map<Long, CpuSample> byTime = c.byTime();
        List<String[]> cpuLines = lines(out, "P ");
        assertEquals(CPU, cpuLines.size());
        Set<Long> seen = new HashSet<>();
        for (String[] p : cpuLines) {
            CpuSample s = byTime.get(Long.parseLong(p[1]));
            assertNotNull(s, "JDK 25: no sample at " + p[1] + " (time base of the first chunk?)");
            assertTrue(seen.add(s.epochNanos()));
            assertEquals(s.thread().tid(), Long.parseLong(p[2]));
            assertEquals(s.stack().frames().size(), Integer.parseInt(p[3]));
            assertEquals(s.cpu(), Integer.parseInt(p[4]));
            assertEquals(s.weightNanos(), Long.parseLong(p[5]));
        }
        List<String[]> executionLines = lines(out, "X ");
        assertEquals(c.jvmExecutionSamples() + c.kfrExecutionSamples(), executionLines.size());
        int kfr = 0;
        for (String[] x : executionLines) {
            assertEquals(RUNNABLE, x[4]);
            CpuSample s = byTime.get(Long.parseLong(x[1]));
            if (s != null && s.thread().tid() == Long.parseLong(x[2])) {
                assertEquals(s.stack().frames().size(), Integer.parseInt(x[3]));
                kfr++;
            } else {
                assertTrue(Integer.parseInt(x[3]) > 0, "the JVM's own sample, with its stack");
            }
        }
        assertEquals(c.kfrExecutionSamples(), kfr);
    }

    private static List<String[]> lines(String out, String prefix) {
        return out.lines().filter(l -> l.startsWith(prefix)).map(l -> l.split(" ")).toList();
    }

    // ---- the jfr tool ---------------------------------------------------------------------------

    @ParameterizedTest(name = "jfr summary/print of JDK 17 and 25 on {0}")
    @ValueSource(strings = {"busy17+es", "busy25+es", "jvm17+es", "jvm17", "jvm25"})
    void jfrToolOfBothJdks(String name) throws Exception {
        Case c = cases.get(name);
        for (int tool : new int[] {17, 25}) {
            String jfr = JvmRecordings.jdkHome(tool).resolve("bin/jfr").toString();
            String summary = Processes.runOk(JvmRecordings.workDir(), List.of(jfr, "summary", c.file().toString())).stdout();
            assertEquals(List.of(CPU), summaryCounts(summary, KfrEventNames.CPU_SAMPLE), "jfr " + tool + " summary:\n" + summary);
            assertFalse(summary.contains("missing event metadata"), summary);
            // One line per type id: the JVM's jdk.ExecutionSample, and kfr's when it has some.
            List<Integer> lines = summaryCounts(summary, KfrEventNames.EXECUTION_SAMPLE);
            List<Integer> expected = new ArrayList<>(List.of((int) c.jvmExecutionSamples()));
            if (c.asExecutionSample()) {
                expected.add(CPU);
            }
            assertEquals(expected.stream().sorted().toList(), lines.stream().sorted().toList(), "jfr " + tool + " summary:\n" + summary);

            String print = Processes.runOk(JvmRecordings.workDir(), List.of(jfr, "print", "--stack-depth", "20",
                    "--events", KfrEventNames.CPU_SAMPLE, c.file().toString())).stdout();
            assertEquals(CPU, count(print, "kfr.CpuSample {"));
            assertTrue(print.contains("cpu = " + TestSamples.CPU_MARKER_CPU + "\n  weight = 10.1 ms\n  eventThread = \"main\" (javaThreadId = 1)"),
                    "the marker sample, printed by jfr " + tool);
            assertTrue(print.contains("kernel.copy_user_enhanced_fast_string()"), "kernel frames");
            assertTrue(print.contains("java.io.FileOutputStream.writeBytes(byte[], int, int, boolean)"), "a Java native frame");
            assertTrue(print.contains("io.kfr.demo.Hot.loop(int) line: 12"), "a compiled frame with its line");
            assertTrue(print.contains("eventThread = \"GC Thread#0\" (osThreadId = 900002)"), "native thread");

            String executionPrint = Processes.runOk(JvmRecordings.workDir(), List.of(jfr, "print", "--stack-depth", "20",
                    "--events", KfrEventNames.EXECUTION_SAMPLE, c.file().toString())).stdout();
            long all = c.jvmExecutionSamples() + c.kfrExecutionSamples();
            assertEquals(all, count(executionPrint, "jdk.ExecutionSample {"));
            assertEquals(all, count(executionPrint, "state = \"" + RUNNABLE + "\""));
            assertEquals(c.asExecutionSample(), executionPrint.contains("io.kfr.demo.Hot.mix(long) line: 17"));
            assertEquals(c.asExecutionSample(), executionPrint.contains("sampledThread = \"kfr-worker-1\" (javaThreadId = 42)"));
            assertEquals(c.busy(), executionPrint.contains(BusyMain.class.getName() + ".spin(int)"));

            if (tool == 25 && c.asExecutionSample()) {
                // JDK 25's own profile of jdk.ExecutionSample counts kfr's samples by top frame.
                String view = Processes.runOk(JvmRecordings.workDir(), List.of(jfr, "view", "--width", "200", "hot-methods",
                        c.file().toString())).stdout();
                long withCpuStack = c.cpu().stream().filter(s -> s.stack() == TestSamples.CPU).count();
                assertTrue(Pattern.compile("^kernel\\.copy_user_enhanced_fast_string\\(\\)\\s+" + withCpuStack + "\\s", Pattern.MULTILINE)
                        .matcher(view).find(), view);
            }
        }
    }

    @ParameterizedTest(name = "jfr print --json of JDK 25 on {0}: the marker's fields")
    @ValueSource(strings = {"busy17+es", "jvm25"})
    void jfrJsonOfJdk25(String name) throws Exception {
        Case c = cases.get(name);
        String jfr = JvmRecordings.jdkHome(25).resolve("bin/jfr").toString();
        String json = Processes.runOk(JvmRecordings.workDir(), List.of(jfr, "print", "--json", "--stack-depth", "3",
                "--events", KfrEventNames.CPU_SAMPLE, c.file().toString())).stdout();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> events = (List<Map<String, Object>>) ((Map<String, Object>) ((Map<String, Object>) MiniJson.parse(json))
                .get("recording")).get("events");
        assertEquals(CPU, events.size());
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> markers = events.stream().map(e -> (Map<String, Object>) e.get("values"))
                .filter(v -> ((Number) v.get("cpu")).intValue() == TestSamples.CPU_MARKER_CPU).toList();
        assertEquals(1, markers.size());
        Map<String, Object> marker = markers.get(0);
        long start = MergedRecordingTest.nanos(Instant.parse((String) marker.get("startTime")));
        long expected = TimeBase.ofFirstChunk(c.jvm().file()).startNanos() + TestSamples.CPU_MARKER_OFFSET_NANOS;
        assertTrue(Math.abs(start - expected) <= ONE_MICRO, "JDK 25 JSON start time off by " + (start - expected) + " ns");
        assertEquals(Duration.ofNanos(TestSamples.CPU_MARKER_WEIGHT_NANOS), Duration.parse((String) marker.get("weight")));
        assertFalse(marker.containsKey("duration"), "an instant event");
        @SuppressWarnings("unchecked")
        Map<String, Object> thread = (Map<String, Object>) marker.get("eventThread");
        assertEquals((long) c.jvm().mainTid(), thread.get("osThreadId"));
    }

    // ---- chunks -------------------------------------------------------------------------------

    /**
     * A chunk declares jdk.ExecutionSample only once it holds some; the two metadata differ, and
     * so do their ids, or the JDK reader would read the second of two such chunks of one
     * KfrChunk in one file with the first one's metadata. (JMC reads only the first of two chunks
     * that start at the same time, as these do: not a case for JMC.)
     */
    @Test
    void chunksBeforeAndAfterTheFirstExecutionSample() throws Exception {
        JvmRecordings.Recording jvm = JvmRecordings.of(17);
        TimeBase tb = TimeBase.ofFirstChunk(jvm.file());
        TestSamples samples = new TestSamples(tb, jvm.mainTid(), 10);
        List<CpuSample> cpu = samples.cpuSamples(tb, 20);
        Path file = dir.resolve("before-after.jfr");
        try (OutputStream out = Files.newOutputStream(file);
             KfrChunk chunk = new KfrChunk(dir.resolve("spool"))) {
            Files.copy(jvm.file(), out);
            cpu.subList(0, 10).forEach(s -> chunk.addCpuSample(s, false));
            ByteArrayOutputStream before = new ByteArrayOutputStream();
            chunk.writeChunk(before, tb);
            before.writeTo(out);
            cpu.subList(10, 20).forEach(s -> chunk.addCpuSample(s, true));
            chunk.writeChunk(out, tb);

            Path alone = dir.resolve("before-alone.jfr");
            Files.write(alone, before.toByteArray());
            try (RecordingFile rf = new RecordingFile(alone)) {
                assertTrue(rf.readEventTypes().stream().noneMatch(t -> t.getName().equals(KfrEventNames.EXECUTION_SAMPLE)),
                        "not declared without execution samples");
            }
        }
        List<RecordedEvent> all = RecordingFile.readAllEvents(file);
        assertEquals(10 + 20, count(all, KfrEventNames.CPU_SAMPLE), "chunk 1: 10, chunk 2: all 20");
        long jvmSamples = count(RecordingFile.readAllEvents(jvm.file()), KfrEventNames.EXECUTION_SAMPLE);
        assertEquals(jvmSamples + 10, count(all, KfrEventNames.EXECUTION_SAMPLE));
        String summary = Processes.runOk(dir, List.of(JvmRecordings.jdkHome(25).resolve("bin/jfr").toString(),
                "summary", file.toString())).stdout();
        assertTrue(summary.contains("Chunks: 3"), summary);
        assertTrue(summaryCounts(summary, KfrEventNames.EXECUTION_SAMPLE).contains(10), summary);
    }

    private static long count(List<RecordedEvent> events, String type) {
        return events.stream().filter(e -> e.getEventType().getName().equals(type)).count();
    }

    /** The count of every summary line of a type (one per type id). */
    private static List<Integer> summaryCounts(String summary, String type) {
        Matcher m = Pattern.compile("^\\s*" + Pattern.quote(type) + "\\s+(\\d+)\\s+\\d+\\s*$", Pattern.MULTILINE).matcher(summary);
        List<Integer> counts = new ArrayList<>();
        while (m.find()) {
            counts.add(Integer.parseInt(m.group(1)));
        }
        return counts;
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + needle.length())) {
            n++;
        }
        return n;
    }
}
