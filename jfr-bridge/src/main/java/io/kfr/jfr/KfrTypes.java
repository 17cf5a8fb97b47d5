package io.kfr.jfr;

import java.security.SecureRandom;
import java.util.Locale;
import java.util.TimeZone;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The type ids and the metadata of kfr's chunk.
 * <p>
 * Ids start far above the JVM's: the JVM numbers its built-in types from 1 and Java-defined types
 * (event classes, annotations) by their class trace id, a counter of loaded classes (≈1,300–2,000
 * in a small JDK 17/25 program, far more in a big application). A clash would make
 * {@code jfr summary} misname kfr's events and {@code RecordingFile.readEventTypes()} drop them.
 * Everything stays below 2^28, a 4-byte varint.
 * <p>
 * The event types have fixed ids; all other types get ids of their own in every {@link KfrChunk}
 * ({@link #next()}). The JDK reader carries constants from one chunk to the next by (type id,
 * key): two chunks of different KfrChunks in one file would otherwise show the first one's
 * threads and stacks in the second. Chunks of the same KfrChunk share keys safely (a key never
 * changes its value).
 */
final class KfrTypes {
    static final long EVENT_BASE = 0x0F00_0000L;
    static final long OFF_CPU = EVENT_BASE + 100;
    static final long COLLECTOR_STATISTICS = EVENT_BASE + 101;
    static final long CPU_SAMPLE = EVENT_BASE + 102;
    /** jdk.ExecutionSample in kfr's chunk: the JDK's name and fields, kfr's id (the JVM's is its own). */
    static final long EXECUTION_SAMPLE = EVENT_BASE + 103;

    /** Per-KfrChunk ids: base + one of these offsets. */
    private static final long INSTANCE_BASE = 0x0F10_0000L;
    private static final int IDS_PER_INSTANCE = 64;
    private static final int INSTANCES = (int) ((0x1000_0000L - INSTANCE_BASE) / IDS_PER_INSTANCE);
    /** Within a process instances differ surely; across processes (and files) by chance 1 : 245,760. */
    private static final AtomicInteger NEXT = new AtomicInteger(new SecureRandom().nextInt(INSTANCES));

    static final int BOOLEAN = 1;
    static final int INT = 2;
    static final int LONG = 3;
    static final int DOUBLE = 4;
    static final int STRING = 5;

    static final int LABEL = 10;
    static final int DESCRIPTION = 11;
    static final int CATEGORY = 12;
    static final int TIMESTAMP = 13;
    static final int TIMESPAN = 14;
    static final int CONTENT_TYPE = 15;

    static final int THREAD = 20;
    static final int THREAD_GROUP = 21;
    static final int CLASS = 22;
    static final int CLASS_LOADER = 23;
    static final int PACKAGE = 24;
    static final int METHOD = 25;
    static final int SYMBOL = 26;
    static final int STACK_TRACE = 27;
    static final int STACK_FRAME = 28;
    static final int FRAME_TYPE = 29;
    static final int THREAD_STATE = 30;

    /**
     * The JDK reader skips re-reading metadata when a chunk's metadata id equals the previous
     * chunk's; the JVM counts from 1, so kfr's ids start far from it ("kfr" in ASCII) and differ
     * per instance like the type ids they describe.
     */
    private static final long METADATA_ID_BASE = 0x6B_6672L << 24;
    /** Added to the metadata id when jdk.ExecutionSample is declared: above every instance number. */
    private static final long WITH_EXECUTION_SAMPLES = 1L << 20;

    private static final String ANNOTATION = "java.lang.annotation.Annotation";
    private static final String EVENT = "jdk.jfr.Event";
    private static final String[] OFF_CPU_CATEGORY = {"Kernel Flight Recorder", "Off-CPU"};
    private static final String[] STATISTICS_CATEGORY = {"Kernel Flight Recorder", "Collector Statistics"};
    private static final String[] CPU_CATEGORY = {"Kernel Flight Recorder", "CPU"};
    /** The JDK's category for jdk.ExecutionSample, so JMC's event browser shows one node for both. */
    private static final String[] PROFILING_CATEGORY = {"Java Virtual Machine", "Profiling"};

    private final long base;
    private final long metadataId;

    private KfrTypes(int instance) {
        base = INSTANCE_BASE + (long) instance * IDS_PER_INSTANCE;
        metadataId = METADATA_ID_BASE + instance;
    }

    static KfrTypes next() {
        return new KfrTypes(Math.floorMod(NEXT.getAndIncrement(), INSTANCES));
    }

    /** The id of one of this instance's types ({@link #THREAD}, ...). */
    long id(int type) {
        return base + type;
    }

    /**
     * The metadata differs with and without jdk.ExecutionSample, and so must its id: two chunks of
     * one KfrChunk in a file may differ in that.
     */
    long metadataId(boolean executionSamples) {
        return metadataId + (executionSamples ? WITH_EXECUTION_SAMPLES : 0);
    }

    /**
     * The metadata tree; region is this JVM's time zone, as the JVM itself writes it.
     * jdk.ExecutionSample (and its jdk.types.ThreadState) only in a chunk that holds such events,
     * so that otherwise no reader lists a second, empty jdk.ExecutionSample type.
     */
    MetadataTree metadata(boolean executionSamples) {
        MetadataTree t = new MetadataTree();
        MetadataTree.Element m = t.metadata;

        for (Object[] p : new Object[][] {{"boolean", BOOLEAN}, {"int", INT}, {"long", LONG},
                {"double", DOUBLE}, {"java.lang.String", STRING}}) {
            type(m, (String) p[0], id((Integer) p[1]), null, false);
        }

        // Annotation types: the readers know them by name; Timestamp/Timespan carry ContentType
        // as in the JVM's metadata so jdk.jfr sees them as content types.
        type(m, "jdk.jfr.ContentType", id(CONTENT_TYPE), ANNOTATION, false);
        field(type(m, "jdk.jfr.Label", id(LABEL), ANNOTATION, false), "value", STRING, false, false);
        field(type(m, "jdk.jfr.Description", id(DESCRIPTION), ANNOTATION, false), "value", STRING, false, false);
        field(type(m, "jdk.jfr.Category", id(CATEGORY), ANNOTATION, false), "value", STRING, false, true);
        MetadataTree.Element ts = type(m, "jdk.jfr.Timestamp", id(TIMESTAMP), ANNOTATION, false);
        field(ts, "value", STRING, false, false);
        ts.child("annotation").attribute("class", id(CONTENT_TYPE));
        MetadataTree.Element tsp = type(m, "jdk.jfr.Timespan", id(TIMESPAN), ANNOTATION, false);
        field(tsp, "value", STRING, false, false);
        tsp.child("annotation").attribute("class", id(CONTENT_TYPE));

        // The JVM's own structural types, same names and field order (JMC's StackFrame reader
        // resolves frame fields by position; the Thread field set is JDK 17's).
        MetadataTree.Element thread = type(m, "java.lang.Thread", id(THREAD), null, false);
        labeled(field(thread, "osName", STRING, false, false), "OS Thread Name", null);
        labeled(field(thread, "osThreadId", LONG, false, false), "OS Thread Id", null);
        labeled(field(thread, "javaName", STRING, false, false), "Java Thread Name", null);
        labeled(field(thread, "javaThreadId", LONG, false, false), "Java Thread Id", null);
        labeled(field(thread, "group", THREAD_GROUP, true, false), "Java Thread Group", null);
        labeled(thread, "Thread", null);

        MetadataTree.Element group = type(m, "jdk.types.ThreadGroup", id(THREAD_GROUP), null, false);
        labeled(field(group, "parent", THREAD_GROUP, true, false), "Parent", null);
        labeled(field(group, "name", STRING, false, false), "Name", null);
        labeled(group, "Thread Group", null);

        MetadataTree.Element cls = type(m, "java.lang.Class", id(CLASS), null, false);
        labeled(field(cls, "classLoader", CLASS_LOADER, true, false), "Class Loader", null);
        labeled(field(cls, "name", SYMBOL, true, false), "Name", null);
        labeled(field(cls, "package", PACKAGE, true, false), "Package", null);
        labeled(field(cls, "modifiers", INT, false, false), "Access Modifiers", null);
        labeled(field(cls, "hidden", BOOLEAN, false, false), "Hidden", null);
        labeled(cls, "Java Class", null);

        MetadataTree.Element loader = type(m, "jdk.types.ClassLoader", id(CLASS_LOADER), null, false);
        labeled(field(loader, "type", CLASS, true, false), "Type", null);
        labeled(field(loader, "name", SYMBOL, true, false), "Name", null);
        labeled(loader, "Java Class Loader", null);

        MetadataTree.Element pkg = type(m, "jdk.types.Package", id(PACKAGE), null, false);
        labeled(field(pkg, "name", SYMBOL, true, false), "Name", null);
        labeled(field(pkg, "exported", BOOLEAN, false, false), "Exported", null);
        labeled(pkg, "Package", null);

        MetadataTree.Element method = type(m, "jdk.types.Method", id(METHOD), null, false);
        labeled(field(method, "type", CLASS, true, false), "Type", null);
        labeled(field(method, "name", SYMBOL, true, false), "Name", null);
        labeled(field(method, "descriptor", SYMBOL, true, false), "Descriptor", null);
        labeled(field(method, "modifiers", INT, false, false), "Access Modifiers", null);
        labeled(field(method, "hidden", BOOLEAN, false, false), "Hidden", null);
        labeled(method, "Java Method", null);

        MetadataTree.Element symbol = type(m, "jdk.types.Symbol", id(SYMBOL), null, true);
        labeled(field(symbol, "string", STRING, false, false), "String", null);
        labeled(symbol, "Symbol", null);

        MetadataTree.Element stack = type(m, "jdk.types.StackTrace", id(STACK_TRACE), null, false);
        labeled(field(stack, "truncated", BOOLEAN, false, false), "Truncated", null);
        labeled(field(stack, "frames", STACK_FRAME, false, true), "Stack Frames", null);
        labeled(stack, "Stacktrace", null);

        MetadataTree.Element frame = type(m, "jdk.types.StackFrame", id(STACK_FRAME), null, false);
        labeled(field(frame, "method", METHOD, true, false), "Java Method", null);
        labeled(field(frame, "lineNumber", INT, false, false), "Line Number", null);
        labeled(field(frame, "bytecodeIndex", INT, false, false), "Bytecode Index", null);
        labeled(field(frame, "type", FRAME_TYPE, true, false), "Frame Type", null);

        MetadataTree.Element frameType = type(m, "jdk.types.FrameType", id(FRAME_TYPE), null, true);
        labeled(field(frameType, "description", STRING, false, false), "Description", null);
        labeled(frameType, "Frame type", null);

        offCpu(m);
        collectorStatistics(m);
        cpuSample(m);
        if (executionSamples) {
            MetadataTree.Element state = type(m, "jdk.types.ThreadState", id(THREAD_STATE), null, true);
            labeled(field(state, "name", STRING, false, false), "Name", null);
            labeled(state, "Java Thread State", null);
            executionSample(m);
        }

        TimeZone tz = TimeZone.getDefault();
        t.region.attribute("locale", Locale.getDefault().toString())
                .attribute("gmtOffset", tz.getRawOffset())
                .attribute("dst", tz.inDaylightTime(new java.util.Date()) ? tz.getDSTSavings() : 0);
        return t;
    }

    /** Field order is the event contract and the order {@link EventEncoder} writes. */
    private void offCpu(MetadataTree.Element m) {
        MetadataTree.Element e = type(m, KfrEvents.OFF_CPU, OFF_CPU, EVENT, false);
        startTimeAndDuration(e, "Start of the off-CPU interval; for aggregated samples the start of the drain period",
                "Time off the CPU; for aggregated samples the sum of all intervals");
        labeled(field(e, "eventThread", THREAD, true, false), "Event Thread", "The thread that was off the CPU");
        labeled(field(e, "stackTrace", STACK_TRACE, true, false), "Stack Trace",
                "Where the thread blocked: kernel, native and Java frames, innermost first");
        labeled(field(e, "state", STRING, false, false), "State",
                "Task state when switched out: S (sleeping), D (uninterruptible), R (preempted), OTHER");
        labeled(field(e, "stateDescription", STRING, false, false), "State Description",
                "The task state in words");
        // No content type: JMC offers a plain number as a weight for stack trace and flame graph views.
        labeled(field(e, "offCpuMillis", DOUBLE, false, false), "Off-CPU Milliseconds",
                "Off-CPU time in milliseconds, a plain number to weight flame graphs by");
        labeled(field(e, "count", LONG, false, false), "Intervals",
                "Number of off-CPU intervals in this sample (1 unless aggregated)");
        labeled(field(e, "aggregated", BOOLEAN, false, false), "Aggregated",
                "True when short intervals with the same thread, state and stack were summed in the kernel");
        labeled(field(e, "syscall", STRING, false, false), "System Call",
                "The system call the thread was blocked in, or null when not in a system call");
        // Appended (field order is the contract): who woke the thread, from sched_waking.
        labeled(field(e, "wakerThread", THREAD, true, false), "Waker Thread",
                "The thread that woke this one (the real tid), or null: preempted, aggregated, woken by an interrupt");
        labeled(field(e, "wakerStackTrace", STACK_TRACE, true, false), "Waker Stack Trace",
                "Where the waker was when it woke the thread: kernel, native and Java frames; taken for intervals "
                        + "that had lasted the threshold at the wake-up");
        labeled(field(e, "waker", STRING, false, false), "Waker",
                "Who woke the thread: thread (of this JVM), timer (a timed wait ran out), interrupt (e.g. I/O "
                        + "completion), other (another process or a kernel thread); null if no wake-up was seen");
        labeled(e, "Off-CPU", "Time a thread spent off the CPU, blocked or waiting for a CPU, seen by the kernel scheduler");
        category(e, OFF_CPU_CATEGORY);
    }

    private void collectorStatistics(MetadataTree.Element m) {
        MetadataTree.Element e = type(m, KfrEvents.COLLECTOR_STATISTICS, COLLECTOR_STATISTICS, EVENT, false);
        startTimeAndDuration(e, "When the statistics were taken", "Always 0");
        labeled(field(e, "collector", STRING, false, false), "Collector", "The kfr collector, e.g. offcpu");
        labeled(field(e, "bpfRunCount", LONG, false, false), "BPF Runs",
                "How often kfr's BPF programs ran, cumulative (kernel BPF statistics)");
        MetadataTree.Element runTime = labeled(field(e, "bpfRunTime", LONG, false, false), "BPF Run Time",
                "CPU time spent in kfr's BPF programs, cumulative");
        annotation(runTime, TIMESPAN, "NANOSECONDS");
        labeled(field(e, "eventsRecorded", LONG, false, false), "Events Recorded",
                "Records delivered individually, cumulative");
        labeled(field(e, "intervalsAggregated", LONG, false, false), "Intervals Aggregated",
                "Short intervals summed in the kernel, cumulative");
        labeled(field(e, "recordsLost", LONG, false, false), "Records Lost",
                "Records not delivered individually (ring buffer full); their time is still in aggregates");
        labeled(field(e, "recordsDropped", LONG, false, false), "Records Dropped",
                "Intervals lost entirely (aggregation map full)");
        MetadataTree.Element dropped = labeled(field(e, "droppedTime", LONG, false, false), "Dropped Time",
                "Off-CPU time of the dropped intervals");
        annotation(dropped, TIMESPAN, "NANOSECONDS");
        labeled(field(e, "stackErrors", LONG, false, false), "Stack Errors", "Stacks that could not be captured");
        labeled(field(e, "unknownFrames", LONG, false, false), "Unknown Frames", "Frames that could not be named");
        labeled(field(e, "stackWalks", LONG, false, false), "Stack Walks", "Stacks walked in the kernel, cumulative");
        labeled(field(e, "stackCacheHits", LONG, false, false), "Stack Cache Hits",
                "Switch-outs that reused the thread's cached stacks instead of walking, cumulative");
        labeled(field(e, "storageFallbacks", LONG, false, false), "Storage Fallbacks",
                "Switch-outs kept in a per-thread hash map because task storage could not be created (not lost)");
        labeled(field(e, "storageErrors", LONG, false, false), "Storage Errors",
                "Switch-outs that could not be stored at all: those intervals are lost");
        labeled(field(e, "missedSwitchIns", LONG, false, false), "Missed Switch-ins",
                "Switch-ins the kernel did not run kfr's program for; the intervals were recovered unless counted in Intervals Missed");
        labeled(field(e, "intervalsMissed", LONG, false, false), "Intervals Missed",
                "Intervals lost because kfr's program did not see their switches; their time is unknown");
        labeled(field(e, "recursionMisses", LONG, false, false), "Recursion Misses",
                "Program runs the kernel skipped because a kfr program was already running on that CPU");
        labeled(field(e, "excludedSwitches", LONG, false, false), "Excluded Switches",
                "Switch-outs of kfr's own threads, not recorded by design");
        annotation(labeled(field(e, "collectorCpuTime", LONG, false, false), "Collector CPU Time",
                "CPU time of the collector's thread in user space (reading records, naming frames), cumulative"),
                TIMESPAN, "NANOSECONDS");
        labeled(field(e, "javaWalks", LONG, false, false), "Java Stack Walks",
                "Java stacks walked in the kernel (HotSpot walker), cumulative");
        annotation(labeled(field(e, "javaWalkTime", LONG, false, false), "Java Walk Time",
                "Time spent walking Java stacks in the kernel, cumulative"), TIMESPAN, "NANOSECONDS");
        labeled(field(e, "javaFrames", LONG, false, false), "Java Frames Walked",
                "Physical Java frames produced by those walks, cumulative");
        labeled(field(e, "javaCacheHits", LONG, false, false), "Java Stack Cache Hits",
                "Switch-outs that reused a Java stack because the stack slots it depended on were unchanged");
        labeled(field(e, "javaVerifyMisses", LONG, false, false), "Java Stack Verify Misses",
                "Cached contexts whose stack slots had changed, walked again");
        labeled(field(e, "javaNoAnchor", LONG, false, false), "Java Threads Without Frames",
                "Switch-outs of Java threads with no Java frames to walk (preempted in Java code, or not in Java yet)");
        labeled(field(e, "javaBroken", LONG, false, false), "Java Walks Stopped",
                "Java walks that stopped at a frame they could not follow (shown as an unknown frame)");
        labeled(field(e, "javaTruncated", LONG, false, false), "Java Walks Truncated",
                "Java walks cut at 256 frames");
        labeled(field(e, "javaStacksSent", LONG, false, false), "Java Stacks Sent",
                "New Java stacks announced by the kernel");
        labeled(field(e, "javaStacksLost", LONG, false, false), "Java Stacks Lost",
                "Java stacks the ring buffer had no room for (their events show a lost-stack frame)");
        labeled(field(e, "javaFromRegisters", LONG, false, false), "Java Walks From Registers",
                "Java walks started from the registers of a thread preempted while running Java code");
        labeled(field(e, "wakeups", LONG, false, false), "Wake-ups Seen",
                "Wake-ups of off-CPU intervals seen by the sched_waking program (their waker recorded), cumulative");
        labeled(field(e, "wakerStacks", LONG, false, false), "Waker Stacks",
                "Wake-ups of intervals at or above the threshold, whose waker's stacks were taken, cumulative");
        labeled(field(e, "wakerRunCount", LONG, false, false), "Waker Program Runs",
                "Runs of the sched_waking program (included in BPF Runs), cumulative");
        annotation(labeled(field(e, "wakerRunTime", LONG, false, false), "Waker Program Run Time",
                "CPU time of the sched_waking program (included in BPF Run Time), cumulative"), TIMESPAN, "NANOSECONDS");
        labeled(e, "Collector Statistics", "What a kfr collector cost and what it could not record, cumulative");
        category(e, STATISTICS_CATEGORY);
    }

    /** An instant event like the JDK's samples: no duration field. */
    private void cpuSample(MetadataTree.Element m) {
        MetadataTree.Element e = type(m, KfrEvents.CPU_SAMPLE, CPU_SAMPLE, EVENT, false);
        annotation(labeled(field(e, "startTime", LONG, false, false), "Start Time", "When the sample was taken"),
                TIMESTAMP, "TICKS");
        labeled(field(e, "eventThread", THREAD, true, false), "Event Thread", "The thread that was running");
        labeled(field(e, "stackTrace", STACK_TRACE, true, false), "Stack Trace",
                "Where the thread was running: kernel, native and Java frames, innermost first");
        labeled(field(e, "cpu", INT, false, false), "CPU", "The CPU the thread ran on");
        annotation(labeled(field(e, "weight", LONG, false, false), "Weight", "The CPU time this sample stands for"),
                TIMESPAN, "NANOSECONDS");
        labeled(e, "CPU Sample", "Where a thread was running when kfr's CPU sampler fired");
        category(e, CPU_CATEGORY);
    }

    /**
     * The JDK's jdk.ExecutionSample, field for field (names, types, constant pools, order: JDK 17
     * and 25 alike). JMC merges a type's events across chunks only when the fields match, and
     * otherwise shows kfr's under a made-up name its Method Profiling page does not look at.
     */
    private void executionSample(MetadataTree.Element m) {
        MetadataTree.Element e = type(m, KfrEvents.EXECUTION_SAMPLE, EXECUTION_SAMPLE, EVENT, false);
        annotation(labeled(field(e, "startTime", LONG, false, false), "Start Time", null), TIMESTAMP, "TICKS");
        labeled(field(e, "sampledThread", THREAD, true, false), "Thread", null);
        labeled(field(e, "stackTrace", STACK_TRACE, true, false), "Stack Trace", null);
        labeled(field(e, "state", THREAD_STATE, true, false), "Thread State", null);
        labeled(e, "Method Profiling Sample", "CPU sample taken by kfr (kernel, native and Java frames)");
        category(e, PROFILING_CATEGORY);
    }

    /** Both readers take field 0 as the start time and field 1 (if named duration) as the duration. */
    private void startTimeAndDuration(MetadataTree.Element e, String startDescription, String durationDescription) {
        MetadataTree.Element start = labeled(field(e, "startTime", LONG, false, false), "Start Time", startDescription);
        annotation(start, TIMESTAMP, "TICKS");
        MetadataTree.Element duration = labeled(field(e, "duration", LONG, false, false), "Duration", durationDescription);
        annotation(duration, TIMESPAN, "TICKS");
    }

    private static MetadataTree.Element type(MetadataTree.Element m, String name, long id, String superType, boolean simple) {
        MetadataTree.Element e = m.child("class").attribute("name", name);
        if (superType != null) {
            e.attribute("superType", superType);
        }
        if (simple) {
            e.attribute("simpleType", true);
        }
        return e.attribute("id", id);
    }

    private MetadataTree.Element field(MetadataTree.Element type, String name, int typeId, boolean constantPool, boolean array) {
        MetadataTree.Element f = type.child("field").attribute("name", name).attribute("class", id(typeId));
        if (array) {
            f.attribute("dimension", 1);
        }
        if (constantPool) {
            f.attribute("constantPool", true);
        }
        return f;
    }

    private MetadataTree.Element labeled(MetadataTree.Element e, String label, String description) {
        annotation(e, LABEL, label);
        if (description != null) {
            annotation(e, DESCRIPTION, description);
        }
        return e;
    }

    private void annotation(MetadataTree.Element e, int annotationType, String value) {
        e.child("annotation").attribute("class", id(annotationType)).attribute("value", value);
    }

    private void category(MetadataTree.Element e, String[] path) {
        MetadataTree.Element a = e.child("annotation").attribute("class", id(CATEGORY));
        for (int i = 0; i < path.length; i++) {
            a.attribute("value-" + i, path[i]);
        }
    }
}
