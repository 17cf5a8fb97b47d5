package io.kfr.jfr;

import io.kfr.events.KfrEventNames;

import io.kfr.collectors.CollectorCounters;
import io.kfr.collectors.CollectorStatistics;
import io.kfr.collectors.Counter;
import io.kfr.collectors.CpuSample;
import io.kfr.collectors.OffCpuSample;
import io.kfr.collectors.OffCpuState;
import io.kfr.collectors.workingset.PageCacheMiss;
import io.kfr.jfr.EventRecords.FileAt;
import io.kfr.jfr.EventRecords.HotPathAt;
import io.kfr.jfr.EventRecords.ImageAt;
import io.kfr.jfr.EventRecords.SpanAt;
import io.kfr.jfr.EventRecords.SymbolAt;
import io.kfr.collectors.hotspot.JavaWalkCounters;
import io.kfr.collectors.offcpu.OffCpuCounters;
import io.kfr.collectors.pt.PtCounters;
import io.kfr.collectors.workingset.WorkingSetCounters;

import java.util.List;
import java.util.function.ToLongFunction;

/**
 * The event types of kfr's chunk, one declaration each (the event contract, docs/events.md):
 * field order is the contract and the order of each event's spool record; each field says where
 * its value comes from in the event's record object, so a new event is its declaration here (and
 * an {@code add} on {@link KfrChunk} that takes the record).
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
            WorkingSetCounters.MISS_RUN_TIME, WorkingSetCounters.WRITE_ADDS, OffCpuCounters.PREEMPTED_UNSAMPLED,
            OffCpuCounters.PREEMPTED_LATE_STACKS, PtCounters.SIDEBAND_RECORDS, PtCounters.SIDEBAND_DROPPED,
            PtCounters.UNLOAD_BYTES, PtCounters.UNLOADS_NOT_COPIED, PtCounters.CODE_CHANGED_STOPS);

    static final EventType<OffCpuSample> OFF_CPU = EventType.<OffCpuSample>declare(KfrEventNames.OFF_CPU,
            KfrTypes.EVENT_BASE + 100, 1, "Off-CPU",
            "Time a thread spent off the CPU, blocked or waiting for a CPU, seen by the kernel scheduler",
            OFF_CPU_CATEGORY, false)
            .start("startTime", "Start Time",
                    "Start of the off-CPU interval; for aggregated samples the start of the drain period",
                    OffCpuSample::startEpochNanos)
            .duration("duration", "Duration",
                    "Time off the CPU; for aggregated samples the sum of all intervals", OffCpuSample::durationNanos)
            .thread("eventThread", "Event Thread", "The thread that was off the CPU", OffCpuSample::thread)
            .stack("stackTrace", "Stack Trace",
                    "Where the thread blocked: kernel, native and Java frames, innermost first", OffCpuSample::stack)
            .string("state", "State",
                    "Task state when switched out: S (sleeping), D (uninterruptible), R (preempted), OTHER",
                    s -> state(s).name())
            .string("stateDescription", "State Description", "The task state in words", s -> describe(state(s)))
            // No content type: JMC offers a plain number as a weight for stack trace and flame graph views.
            .durationMillis("offCpuMillis", "Off-CPU Milliseconds",
                    "Off-CPU time in milliseconds, a plain number to weight flame graphs by")
            .longValue("count", "Intervals",
                    "Number of off-CPU intervals in this sample (1 unless aggregated)", OffCpuSample::count)
            .booleanValue("aggregated", "Aggregated",
                    "True when short intervals with the same thread, state and stack were summed in the kernel",
                    OffCpuSample::aggregated)
            .string("syscall", "System Call",
                    "The system call the thread was blocked in, or null when not in a system call",
                    KfrEventTypes::syscall)
            // Appended (field order is the contract): who woke the thread, from sched_waking.
            .thread("wakerThread", "Waker Thread",
                    "The thread that woke this one (the real tid), or null: preempted, aggregated, woken by an interrupt",
                    s -> s.waker() == null ? null : s.waker().thread())
            .stack("wakerStackTrace", "Waker Stack Trace",
                    "Where the waker was when it woke the thread: kernel, native and Java frames; taken for intervals "
                            + "that had lasted the threshold at the wake-up",
                    s -> s.waker() == null ? null : s.waker().stack())
            .string("waker", "Waker",
                    "Who woke the thread: thread (of this JVM), timer (a timed wait ran out), interrupt (e.g. I/O "
                            + "completion), other (another process or a kernel thread); null if no wake-up was seen",
                    s -> s.waker() == null ? null : s.waker().kind())
            .build();

    static final EventType<CollectorStatistics> COLLECTOR_STATISTICS = statistics(EventType.<CollectorStatistics>declare(
            KfrEventNames.COLLECTOR_STATISTICS, KfrTypes.EVENT_BASE + 101, 2, "Collector Statistics",
            "What a kfr collector cost and what it could not record, cumulative", STATISTICS_CATEGORY, false));

    /** An instant event like the JDK's samples: no duration field. */
    static final EventType<CpuSample> CPU_SAMPLE = EventType.<CpuSample>declare(KfrEventNames.CPU_SAMPLE,
            KfrTypes.EVENT_BASE + 102, 3, "CPU Sample",
            "Where a thread was running when kfr's CPU sampler fired", CPU_CATEGORY, false)
            .instant("startTime", "Start Time", "When the sample was taken", CpuSample::epochNanos)
            .thread("eventThread", "Event Thread", "The thread that was running", CpuSample::thread)
            .stack("stackTrace", "Stack Trace",
                    "Where the thread was running: kernel, native and Java frames, innermost first", CpuSample::stack)
            .intValue("cpu", "CPU", "The CPU the thread ran on", CpuSample::cpu)
            .timespan("weight", "NANOSECONDS", "Weight",
                    "The CPU time this sample stands for", s -> Math.max(0, s.weightNanos()))
            .build();

    /**
     * The JDK's jdk.ExecutionSample, field for field (names, types, constant pools, order: JDK 17
     * and 25 alike), with kfr's id (the JVM's is its own). JMC merges a type's events across chunks
     * only when the fields match, and otherwise shows kfr's under a made-up name its Method
     * Profiling page does not look at. Declared only in a chunk that holds such events, so that
     * otherwise no reader lists a second, empty jdk.ExecutionSample type.
     */
    static final EventType<CpuSample> EXECUTION_SAMPLE = EventType.<CpuSample>declare(KfrEventNames.EXECUTION_SAMPLE,
            KfrTypes.EVENT_BASE + 103, 4, "Method Profiling Sample",
            "CPU sample taken by kfr (kernel, native and Java frames)", PROFILING_CATEGORY, true)
            .instant("startTime", "Start Time", null, CpuSample::epochNanos)
            .thread("sampledThread", "Thread", null, CpuSample::thread)
            .stack("stackTrace", "Stack Trace", null, CpuSample::stack)
            // as the JVM's sampler, which samples running threads
            .runnable("state", "Thread State", null)
            .build();

    private static final String[] WORKING_SET_CATEGORY = {"Kernel Flight Recorder", "Working Set"};

    static final EventType<PageCacheMiss> PAGE_CACHE_MISS = EventType.<PageCacheMiss>declare(KfrEventNames.PAGE_CACHE_MISS,
            KfrTypes.EVENT_BASE + 104, 5, "Page Cache Miss",
            "A thread of this JVM read pages of a file from disk into the page cache, and how long it then "
            + "waited for them",
            WORKING_SET_CATEGORY, false)
            .start("startTime", "Start Time", "When the pages were added to the page cache", PageCacheMiss::epochNanos)
            .duration("duration", "Duration",
                    "How long the thread then slept uninterruptibly (0: it did not wait right after)",
                    PageCacheMiss::waitNanos)
            .thread("eventThread", "Event Thread", "The thread whose read or page fault missed", PageCacheMiss::thread)
            .stack("stackTrace", "Stack Trace",
                    "Where it missed: kernel and native frames, innermost first", PageCacheMiss::stack)
            .string("file", "File",
                    "The file's path (device:inode in hex when it cannot be named)", PageCacheMiss::file)
            .longValue("offset", "Offset", "Offset in the file of the first page, bytes", PageCacheMiss::offset)
            .longValue("pages", "Pages", "4 KB pages read (one folio)", PageCacheMiss::pages)
            .build();

    static final EventType<FileAt> WORKING_SET = EventType.<FileAt>declare(KfrEventNames.WORKING_SET,
            KfrTypes.EVENT_BASE + 105, 6, "Working Set File",
            "One file of the working set this JVM recorded while it started", WORKING_SET_CATEGORY, false)
            .instant("startTime", "Start Time", "When the set was saved", w -> w.epochNanos)
            .string("file", "File", "The file's path", w -> w.file.set().path())
            .longValue("pages", "Pages", "4 KB pages of the file the JVM read or touched", w -> w.file.set().pages())
            .longValue("bytes", "Bytes", "The same in bytes", w -> w.file.set().bytes())
            .longValue("missedPages", "Missed Pages",
                    "Pages the JVM's threads read from disk (not in the page cache)", w -> w.file.missedPages())
            .doubleValue("missedShare", "Missed Share", "missedPages / pages", w -> w.file.missedShare())
            .longValue("waits", "Waits",
                    "Times a thread slept uninterruptibly right after missing this file's pages", w -> w.file.waits())
            .timespan("waitTime", "NANOSECONDS", "Wait Time", "The time of those waits", w -> w.file.waitNanos())
            .build();

    private static final String[] NATIVE_CATEGORY = {"Kernel Flight Recorder", "Native Images"};

    /**
     * One executable mapping of a native image (a library, the JVM, the kernel) that holds frames of
     * this chunk's stacks: what a profile needs so that a backend can symbolize those frames later
     * (perf inject -b's idea). Written once per image, before the first event whose stack has its frames.
     */
    static final EventType<ImageAt> NATIVE_IMAGE = EventType.<ImageAt>declare(KfrEventNames.NATIVE_IMAGE,
            KfrTypes.EVENT_BASE + 106, 7, "Native Image",
            "A native image whose code is in kfr's stacks: where it was mapped and its build id",
            NATIVE_CATEGORY, false)
            .instant("startTime", "Start Time", "When kfr first saw a frame of the image", i -> i.epochNanos)
            .string("image", "Image",
                    "The owner the image's frames carry: the file name (libc.so.6), or kernel", i -> i.image.name)
            .string("path", "Path", "The mapped file's path; [kernel.kallsyms] for the kernel", i -> i.image.path)
            .string("buildId", "Build Id",
                    "The GNU build id in lower-case hex, or null if the image has none",
                    i -> i.image.buildId.isEmpty() ? null : i.image.buildId)
            .longValue("memoryStart", "Memory Start", "First address of the executable mapping", i -> i.image.start)
            .longValue("memoryLimit", "Memory Limit", "First address after the executable mapping", i -> i.image.limit)
            .longValue("fileOffset", "File Offset", "Offset in the file that memoryStart maps", i -> i.image.fileOffset)
            .build();

    /**
     * Where a native or kernel function of this chunk's stacks was in memory: with its image's
     * mapping, the address that symbolizes to it again. Written once per function, before the first
     * event whose stack has it.
     */
    static final EventType<SymbolAt> NATIVE_SYMBOL = EventType.<SymbolAt>declare(KfrEventNames.NATIVE_SYMBOL,
            KfrTypes.EVENT_BASE + 107, 8, "Native Symbol",
            "The run-time address of a native or kernel function in kfr's stacks", NATIVE_CATEGORY, false)
            .instant("startTime", "Start Time", "When kfr first saw a frame of the function", y -> y.epochNanos)
            .string("image", "Image",
                    "The frames' owner (the image's name, as kfr.NativeImage's image)", y -> y.frame.owner())
            .string("symbol", "Symbol",
                    "The function's name as the frames carry it (C++ mangled)", y -> y.frame.method())
            .longValue("address", "Address", "The function's start address in the process", y -> y.address)
            .build();

    private static final String[] PT_CATEGORY = {"Kernel Flight Recorder", "Intel PT"};

    static final EventType<HotPathAt> HOT_PATH = EventType.<HotPathAt>declare(KfrEventNames.HOT_PATH,
            KfrTypes.EVENT_BASE + 108, 9, "Hot Path",
            "One distinct call path of an Intel PT snapshot of a thread: the instructions and conditional branches it "
            + "executed there, exactly, JIT code included",
            PT_CATEGORY, false)
            .start("startTime", "Start Time",
                    "When the thread first ran on the path in the snapshot (the snapshot's time when the trace has no timing)",
                    h -> h.startNanos)
            .duration("duration", "Duration",
                    "Time the thread spent on the path (0 when the trace has no timing)", h -> h.durationNanos)
            .thread("eventThread", "Event Thread", "The traced thread", h -> h.thread)
            .stack("stackTrace", "Stack Trace",
                    "The path: the method it ran in (inlined scopes included) and its callers as the trace showed them, "
                            + "innermost first; truncated: callers above the snapshot's start are not known",
                    h -> h.path.stack)
            .longValue("instructions", "Instructions",
                    "Instructions the thread executed on the path", h -> h.path.instructions)
            .longValue("branches", "Branches",
                    "Conditional branches it executed there, taken or not", h -> h.path.branches)
            .string("reason", "Snapshot Reason",
                    "Why the snapshot was taken: on demand, periodic, off-CPU, at stop", h -> h.reason)
            .longValue("snapshot", "Snapshot",
                    "The snapshot's number in this JVM: the threads' traces taken together share it", h -> h.snapshot)
            .build();

    static final EventType<SpanAt> PT_SPAN = EventType.<SpanAt>declare(KfrEventNames.PT_SPAN,
            KfrTypes.EVENT_BASE + 109, 10, "PT Span",
            "One method call of an Intel PT snapshot of a thread, from its call to its return", PT_CATEGORY, false)
            .start("startTime", "Start Time",
                    "The call (the snapshot's start for a call made before it; the snapshot's time without timing)",
                    p -> p.startNanos)
            .duration("duration", "Duration",
                    "Call to return (to the snapshot's end if it did not return in it)", p -> p.durationNanos)
            .thread("eventThread", "Event Thread", "The traced thread", p -> p.thread)
            .string("method", "Method",
                    "class.method(descriptor), or library!function; an inlined scope as 'inner (inlined in outer)'",
                    p -> p.span.method)
            .intValue("depth", "Depth",
                    "Call depth, 0 = the shallowest frame of its stretch of trace", p -> p.span.depth)
            .longValue("instructions", "Instructions",
                    "Instructions executed from the call to the return",
                    p -> p.span.endInstruction - p.span.startInstruction)
            .longValue("snapshot", "Snapshot", "The snapshot's number in this JVM (as kfr.HotPath's)", p -> p.snapshot)
            .build();

    /** In metadata order; index = kind - 1. */
    static final List<EventType<?>> ALL = List.of(OFF_CPU, COLLECTOR_STATISTICS, CPU_SAMPLE, EXECUTION_SAMPLE, PAGE_CACHE_MISS,
            WORKING_SET, NATIVE_IMAGE, NATIVE_SYMBOL, HOT_PATH, PT_SPAN);

    private KfrEventTypes() {
    }

    /** The type of a spool record's first byte, or null. */
    static EventType<?> ofKind(int kind) {
        return kind >= 1 && kind <= ALL.size() ? ALL.get(kind - 1) : null;
    }

    /** Every counter of the event, 0 where the collector does not fill it. */
    private static EventType<CollectorStatistics> statistics(EventType.Builder<CollectorStatistics> b) {
        b.start("startTime", "Start Time", "When the statistics were taken", CollectorStatistics::epochNanos);
        b.duration("duration", "Duration", "Always 0", s -> 0);
        b.string("collector", "Collector", "The kfr collector, e.g. offcpu", CollectorStatistics::collector);
        for (Counter c : STATISTICS_COUNTERS) {
            // the thread's CPU time reads -1 where the JVM cannot measure it
            ToLongFunction<CollectorStatistics> value = c == CollectorCounters.COLLECTOR_CPU_TIME
                    ? s -> Math.max(0, s.get(c)) : s -> s.get(c);
            if (c.unit() == null) {
                b.longValue(c.name(), c.label(), c.description(), value);
            } else {
                b.timespan(c.name(), c.unit(), c.label(), c.description(), value);
            }
        }
        b.string("javaFramesSelfTest", "Java Frames Self-Test",
                "The start-up self-test of Java frames: passed (...), failed: <what differed>, not run; "
                        + "empty for a collector without Java stacks", CollectorStatistics::javaFramesSelfTest);
        return b.build();
    }

    private static OffCpuState state(OffCpuSample s) {
        return s.state() == null ? OffCpuState.OTHER : s.state();
    }

    static String describe(OffCpuState state) {
        switch (state) {
            case S:
                return "Sleeping (interruptible wait: sleep, park, futex, socket)";
            case D:
                return "Uninterruptible wait (usually disk I/O or a page fault)";
            case R:
                return "Preempted (runnable, waiting for a CPU)";
            case OTHER:
                return "Other (idle, stopped or traced)";
            default:
                throw new IllegalArgumentException(String.valueOf(state));
        }
    }

    /** The syscall's name; its number when only that is known; null when not in a syscall. */
    private static String syscall(OffCpuSample s) {
        if (s.syscallName() != null && !s.syscallName().isEmpty()) {
            return s.syscallName();
        }
        return s.syscall() >= 0 ? "syscall#" + s.syscall() : null;
    }
}
