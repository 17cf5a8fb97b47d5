package io.kfr.jfr;

import io.kfr.events.KfrEventNames;

import io.kfr.collectors.CollectorCounters;
import io.kfr.collectors.Counter;
import io.kfr.collectors.hotspot.JavaWalkCounters;
import io.kfr.collectors.offcpu.OffCpuCounters;
import io.kfr.collectors.workingset.WorkingSetCounters;

import java.util.ArrayList;
import java.util.List;

import static io.kfr.jfr.EventType.Encoding;
import static io.kfr.jfr.EventType.Field;
import static io.kfr.jfr.EventType.field;
import static io.kfr.jfr.EventType.timespan;
import static io.kfr.jfr.EventType.timestamp;
import static io.kfr.jfr.KfrTypes.BOOLEAN;
import static io.kfr.jfr.KfrTypes.DOUBLE;
import static io.kfr.jfr.KfrTypes.INT;
import static io.kfr.jfr.KfrTypes.LONG;
import static io.kfr.jfr.KfrTypes.STACK_TRACE;
import static io.kfr.jfr.KfrTypes.STRING;
import static io.kfr.jfr.KfrTypes.THREAD;
import static io.kfr.jfr.KfrTypes.THREAD_STATE;

/**
 * The event types of kfr's chunk, one declaration each (the event contract, docs/events.md):
 * field order is the contract and the order of each event's spool record.
 */
final class KfrEventTypes {
    private static final String[] OFF_CPU_CATEGORY = {"Kernel Flight Recorder", "Off-CPU"};
    private static final String[] STATISTICS_CATEGORY = {"Kernel Flight Recorder", "Collector Statistics"};
    private static final String[] CPU_CATEGORY = {"Kernel Flight Recorder", "CPU"};
    /** The JDK's category for jdk.ExecutionSample, so JMC's event browser shows one node for both. */
    private static final String[] PROFILING_CATEGORY = {"Java Virtual Machine", "Profiling"};

    /**
     * The counters of kfr.CollectorStatistics in field order; a collector that does not fill one
     * writes 0 there.
     */
    static final List<Counter> STATISTICS_COUNTERS = List.of(
            CollectorCounters.BPF_RUN_COUNT, CollectorCounters.BPF_RUN_TIME, CollectorCounters.EVENTS_RECORDED,
            OffCpuCounters.INTERVALS_AGGREGATED, OffCpuCounters.RECORDS_LOST, CollectorCounters.RECORDS_DROPPED,
            OffCpuCounters.DROPPED_TIME, CollectorCounters.STACK_ERRORS, CollectorCounters.UNKNOWN_FRAMES,
            CollectorCounters.STACK_WALKS, OffCpuCounters.STACK_CACHE_HITS, CollectorCounters.STACK_COLLISIONS,
            CollectorCounters.STACK_EPOCHS, CollectorCounters.STACKS_EXPIRED, OffCpuCounters.STORAGE_FALLBACKS,
            OffCpuCounters.STORAGE_ERRORS, OffCpuCounters.MISSED_SWITCH_INS, OffCpuCounters.INTERVALS_MISSED,
            CollectorCounters.RECURSION_MISSES, OffCpuCounters.EXCLUDED_SWITCHES, CollectorCounters.COLLECTOR_CPU_TIME,
            JavaWalkCounters.WALKS, JavaWalkCounters.WALK_TIME, JavaWalkCounters.FRAMES, JavaWalkCounters.CACHE_HITS,
            JavaWalkCounters.VERIFY_MISSES, JavaWalkCounters.NO_ANCHOR, JavaWalkCounters.BROKEN,
            JavaWalkCounters.TRUNCATED, JavaWalkCounters.STACKS_SENT, JavaWalkCounters.STACKS_LOST,
            JavaWalkCounters.FROM_REGISTERS, JavaWalkCounters.UNVERIFIED, OffCpuCounters.WAKEUPS, OffCpuCounters.WAKER_STACKS,
            OffCpuCounters.WAKER_RUN_COUNT, OffCpuCounters.WAKER_RUN_TIME, WorkingSetCounters.MISS_RUN_COUNT,
            WorkingSetCounters.MISS_RUN_TIME);

    static final EventType OFF_CPU = new EventType(KfrEventNames.OFF_CPU, KfrTypes.EVENT_BASE + 100, 1, "Off-CPU",
            "Time a thread spent off the CPU, blocked or waiting for a CPU, seen by the kernel scheduler",
            OFF_CPU_CATEGORY, false, List.of(
            timestamp("startTime", "Start Time",
                    "Start of the off-CPU interval; for aggregated samples the start of the drain period", Encoding.START),
            timespan("duration", "TICKS", "Duration",
                    "Time off the CPU; for aggregated samples the sum of all intervals", Encoding.DURATION),
            field("eventThread", THREAD, "Event Thread", "The thread that was off the CPU", Encoding.REFERENCE),
            field("stackTrace", STACK_TRACE, "Stack Trace",
                    "Where the thread blocked: kernel, native and Java frames, innermost first", Encoding.REFERENCE),
            field("state", STRING, "State",
                    "Task state when switched out: S (sleeping), D (uninterruptible), R (preempted), OTHER",
                    Encoding.STRING),
            field("stateDescription", STRING, "State Description", "The task state in words", Encoding.STRING),
            // No content type: JMC offers a plain number as a weight for stack trace and flame graph views.
            field("offCpuMillis", DOUBLE, "Off-CPU Milliseconds",
                    "Off-CPU time in milliseconds, a plain number to weight flame graphs by", Encoding.DURATION_MILLIS),
            field("count", LONG, "Intervals", "Number of off-CPU intervals in this sample (1 unless aggregated)",
                    Encoding.LONG),
            field("aggregated", BOOLEAN, "Aggregated",
                    "True when short intervals with the same thread, state and stack were summed in the kernel",
                    Encoding.BOOLEAN),
            field("syscall", STRING, "System Call",
                    "The system call the thread was blocked in, or null when not in a system call", Encoding.STRING),
            // Appended (field order is the contract): who woke the thread, from sched_waking.
            field("wakerThread", THREAD, "Waker Thread",
                    "The thread that woke this one (the real tid), or null: preempted, aggregated, woken by an interrupt",
                    Encoding.REFERENCE),
            field("wakerStackTrace", STACK_TRACE, "Waker Stack Trace",
                    "Where the waker was when it woke the thread: kernel, native and Java frames; taken for intervals "
                            + "that had lasted the threshold at the wake-up", Encoding.REFERENCE),
            field("waker", STRING, "Waker",
                    "Who woke the thread: thread (of this JVM), timer (a timed wait ran out), interrupt (e.g. I/O "
                            + "completion), other (another process or a kernel thread); null if no wake-up was seen",
                    Encoding.STRING)));

    static final EventType COLLECTOR_STATISTICS = new EventType(KfrEventNames.COLLECTOR_STATISTICS,
            KfrTypes.EVENT_BASE + 101, 2, "Collector Statistics",
            "What a kfr collector cost and what it could not record, cumulative", STATISTICS_CATEGORY, false,
            statisticsFields());

    /** An instant event like the JDK's samples: no duration field. */
    static final EventType CPU_SAMPLE = new EventType(KfrEventNames.CPU_SAMPLE, KfrTypes.EVENT_BASE + 102, 3,
            "CPU Sample", "Where a thread was running when kfr's CPU sampler fired", CPU_CATEGORY, false, List.of(
            timestamp("startTime", "Start Time", "When the sample was taken", Encoding.INSTANT),
            field("eventThread", THREAD, "Event Thread", "The thread that was running", Encoding.REFERENCE),
            field("stackTrace", STACK_TRACE, "Stack Trace",
                    "Where the thread was running: kernel, native and Java frames, innermost first", Encoding.REFERENCE),
            field("cpu", INT, "CPU", "The CPU the thread ran on", Encoding.INT),
            timespan("weight", "NANOSECONDS", "Weight", "The CPU time this sample stands for", Encoding.LONG)));

    /**
     * The JDK's jdk.ExecutionSample, field for field (names, types, constant pools, order: JDK 17
     * and 25 alike), with kfr's id (the JVM's is its own). JMC merges a type's events across chunks
     * only when the fields match, and otherwise shows kfr's under a made-up name its Method
     * Profiling page does not look at. Declared only in a chunk that holds such events, so that
     * otherwise no reader lists a second, empty jdk.ExecutionSample type.
     */
    static final EventType EXECUTION_SAMPLE = new EventType(KfrEventNames.EXECUTION_SAMPLE, KfrTypes.EVENT_BASE + 103, 4,
            "Method Profiling Sample", "CPU sample taken by kfr (kernel, native and Java frames)", PROFILING_CATEGORY,
            true, List.of(
            timestamp("startTime", "Start Time", null, Encoding.INSTANT),
            field("sampledThread", THREAD, "Thread", null, Encoding.REFERENCE),
            field("stackTrace", STACK_TRACE, "Stack Trace", null, Encoding.REFERENCE),
            // as the JVM's sampler, which samples running threads
            field("state", THREAD_STATE, "Thread State", null, Encoding.RUNNABLE)));

    private static final String[] WORKING_SET_CATEGORY = {"Kernel Flight Recorder", "Working Set"};

    static final EventType PAGE_CACHE_MISS = new EventType(KfrEventNames.PAGE_CACHE_MISS, KfrTypes.EVENT_BASE + 104, 5,
            "Page Cache Miss", "A thread of this JVM read pages of a file from disk into the page cache, and how long it then "
            + "waited for them", WORKING_SET_CATEGORY, false, List.of(
            timestamp("startTime", "Start Time", "When the pages were added to the page cache", Encoding.START),
            timespan("duration", "TICKS", "Duration",
                    "How long the thread then slept uninterruptibly (0: it did not wait right after)", Encoding.DURATION),
            field("eventThread", THREAD, "Event Thread", "The thread whose read or page fault missed", Encoding.REFERENCE),
            field("stackTrace", STACK_TRACE, "Stack Trace", "Where it missed: kernel and native frames, innermost first",
                    Encoding.REFERENCE),
            field("file", STRING, "File", "The file's path (device:inode in hex when it cannot be named)", Encoding.STRING),
            field("offset", LONG, "Offset", "Offset in the file of the first page, bytes", Encoding.LONG),
            field("pages", LONG, "Pages", "4 KB pages read (one folio)", Encoding.LONG)));

    static final EventType WORKING_SET = new EventType(KfrEventNames.WORKING_SET, KfrTypes.EVENT_BASE + 105, 6,
            "Working Set File", "One file of the working set this JVM recorded while it started", WORKING_SET_CATEGORY, false,
            List.of(
            timestamp("startTime", "Start Time", "When the set was saved", Encoding.INSTANT),
            field("file", STRING, "File", "The file's path", Encoding.STRING),
            field("pages", LONG, "Pages", "4 KB pages of the file the JVM read or touched", Encoding.LONG),
            field("bytes", LONG, "Bytes", "The same in bytes", Encoding.LONG),
            field("missedPages", LONG, "Missed Pages", "Pages the JVM's threads read from disk (not in the page cache)",
                    Encoding.LONG),
            field("missedShare", DOUBLE, "Missed Share", "missedPages / pages", Encoding.DOUBLE),
            field("waits", LONG, "Waits", "Times a thread slept uninterruptibly right after missing this file's pages",
                    Encoding.LONG),
            timespan("waitTime", "NANOSECONDS", "Wait Time", "The time of those waits", Encoding.LONG)));

    private static final String[] NATIVE_CATEGORY = {"Kernel Flight Recorder", "Native Images"};

    /**
     * One executable mapping of a native image (a library, the JVM, the kernel) that holds frames of
     * this chunk's stacks: what a profile needs so that a backend can symbolize those frames later
     * (perf inject -b's idea). Written once per image, before the first event whose stack has its frames.
     */
    static final EventType NATIVE_IMAGE = new EventType(KfrEventNames.NATIVE_IMAGE, KfrTypes.EVENT_BASE + 106, 7,
            "Native Image", "A native image whose code is in kfr's stacks: where it was mapped and its build id",
            NATIVE_CATEGORY, false, List.of(
            timestamp("startTime", "Start Time", "When kfr first saw a frame of the image", Encoding.INSTANT),
            field("image", STRING, "Image", "The owner the image's frames carry: the file name (libc.so.6), or kernel",
                    Encoding.STRING),
            field("path", STRING, "Path", "The mapped file's path; [kernel.kallsyms] for the kernel", Encoding.STRING),
            field("buildId", STRING, "Build Id", "The GNU build id in lower-case hex, or null if the image has none",
                    Encoding.STRING),
            field("memoryStart", LONG, "Memory Start", "First address of the executable mapping", Encoding.LONG),
            field("memoryLimit", LONG, "Memory Limit", "First address after the executable mapping", Encoding.LONG),
            field("fileOffset", LONG, "File Offset", "Offset in the file that memoryStart maps", Encoding.LONG)));

    /**
     * Where a native or kernel function of this chunk's stacks was in memory: with its image's
     * mapping, the address that symbolizes to it again. Written once per function, before the first
     * event whose stack has it.
     */
    static final EventType NATIVE_SYMBOL = new EventType(KfrEventNames.NATIVE_SYMBOL, KfrTypes.EVENT_BASE + 107, 8,
            "Native Symbol", "The run-time address of a native or kernel function in kfr's stacks", NATIVE_CATEGORY, false,
            List.of(
            timestamp("startTime", "Start Time", "When kfr first saw a frame of the function", Encoding.INSTANT),
            field("image", STRING, "Image", "The frames' owner (the image's name, as kfr.NativeImage's image)",
                    Encoding.STRING),
            field("symbol", STRING, "Symbol", "The function's name as the frames carry it (C++ mangled)", Encoding.STRING),
            field("address", LONG, "Address", "The function's start address in the process", Encoding.LONG)));

    private static final String[] PT_CATEGORY = {"Kernel Flight Recorder", "Intel PT"};

    static final EventType HOT_PATH = new EventType(KfrEventNames.HOT_PATH, KfrTypes.EVENT_BASE + 108, 9, "Hot Path",
            "One distinct call path of an Intel PT snapshot of a thread: the instructions and conditional branches it "
            + "executed there, exactly, JIT code included", PT_CATEGORY, false, List.of(
            timestamp("startTime", "Start Time",
                    "When the thread first ran on the path in the snapshot (the snapshot's time when the trace has no timing)",
                    Encoding.START),
            timespan("duration", "TICKS", "Duration", "Time the thread spent on the path (0 when the trace has no timing)",
                    Encoding.DURATION),
            field("eventThread", THREAD, "Event Thread", "The traced thread", Encoding.REFERENCE),
            field("stackTrace", STACK_TRACE, "Stack Trace",
                    "The path: the method it ran in (inlined scopes included) and its callers as the trace showed them, "
                            + "innermost first; truncated: callers above the snapshot's start are not known", Encoding.REFERENCE),
            field("instructions", LONG, "Instructions", "Instructions the thread executed on the path", Encoding.LONG),
            field("branches", LONG, "Branches", "Conditional branches it executed there, taken or not", Encoding.LONG),
            field("reason", STRING, "Snapshot Reason", "Why the snapshot was taken: on demand, periodic, off-CPU, at stop",
                    Encoding.STRING),
            field("snapshot", LONG, "Snapshot", "The snapshot's number in this JVM: the threads' traces taken together share it",
                    Encoding.LONG)));

    static final EventType PT_SPAN = new EventType(KfrEventNames.PT_SPAN, KfrTypes.EVENT_BASE + 109, 10, "PT Span",
            "One method call of an Intel PT snapshot of a thread, from its call to its return", PT_CATEGORY, false, List.of(
            timestamp("startTime", "Start Time",
                    "The call (the snapshot's start for a call made before it; the snapshot's time without timing)",
                    Encoding.START),
            timespan("duration", "TICKS", "Duration", "Call to return (to the snapshot's end if it did not return in it)",
                    Encoding.DURATION),
            field("eventThread", THREAD, "Event Thread", "The traced thread", Encoding.REFERENCE),
            field("method", STRING, "Method",
                    "class.method(descriptor), or library!function; an inlined scope as 'inner (inlined in outer)'",
                    Encoding.STRING),
            field("depth", INT, "Depth", "Call depth, 0 = the shallowest frame of its stretch of trace", Encoding.INT),
            field("instructions", LONG, "Instructions", "Instructions executed from the call to the return",
                    Encoding.LONG),
            field("snapshot", LONG, "Snapshot", "The snapshot's number in this JVM (as kfr.HotPath's)", Encoding.LONG)));

    /** In metadata order; index = kind - 1. */
    static final List<EventType> ALL = List.of(OFF_CPU, COLLECTOR_STATISTICS, CPU_SAMPLE, EXECUTION_SAMPLE, PAGE_CACHE_MISS,
            WORKING_SET, NATIVE_IMAGE, NATIVE_SYMBOL, HOT_PATH, PT_SPAN);

    private KfrEventTypes() {
    }

    /** The type of a spool record's first byte, or null. */
    static EventType ofKind(int kind) {
        return kind >= 1 && kind <= ALL.size() ? ALL.get(kind - 1) : null;
    }

    private static List<Field> statisticsFields() {
        List<Field> f = new ArrayList<>();
        f.add(timestamp("startTime", "Start Time", "When the statistics were taken", Encoding.START));
        f.add(timespan("duration", "TICKS", "Duration", "Always 0", Encoding.DURATION));
        f.add(field("collector", STRING, "Collector", "The kfr collector, e.g. offcpu", Encoding.STRING));
        for (Counter c : STATISTICS_COUNTERS) {
            f.add(c.unit() == null ? field(c.name(), LONG, c.label(), c.description(), Encoding.LONG)
                    : timespan(c.name(), c.unit(), c.label(), c.description(), Encoding.LONG));
        }
        f.add(field("javaFramesSelfTest", STRING, "Java Frames Self-Test",
                "The start-up self-test of Java frames: passed (...), failed: <what differed>, not run; "
                        + "empty for a collector without Java stacks", Encoding.STRING));
        return List.copyOf(f);
    }
}
