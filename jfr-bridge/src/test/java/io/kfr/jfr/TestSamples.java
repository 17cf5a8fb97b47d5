package io.kfr.jfr;

import io.kfr.collectors.CollectorStatistics;
import io.kfr.collectors.CpuSample;
import io.kfr.collectors.Frame;
import io.kfr.collectors.FrameType;
import io.kfr.collectors.OffCpuSample;
import io.kfr.collectors.OffCpuState;
import io.kfr.collectors.StackTrace;
import io.kfr.collectors.ThreadRef;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Deterministic off-CPU samples and statistics around a JVM recording's start: individual and
 * aggregated, kernel/native/C++/Java frames, Java and native threads, one of them the JVM's main
 * thread (same tid), plus one marker sample with a unique syscall name to find in every reader.
 */
final class TestSamples {
    static final String MARKER_SYSCALL = "kfr_marker";
    static final long MARKER_OFFSET_NANOS = 123_456_789L;
    static final long MARKER_DURATION_NANOS = 7_654_321L;

    final ThreadRef main;
    final ThreadRef worker;
    final ThreadRef gc;
    final ThreadRef unicode;
    final List<StackTrace> stacks;
    final List<OffCpuSample> offCpu = new ArrayList<>();
    final List<CollectorStatistics> statistics = new ArrayList<>();
    final OffCpuSample marker;

    static final StackTrace FULL = new StackTrace(List.of(
            Frame.kernel("__schedule"),
            Frame.kernel("schedule"),
            Frame.kernel("futex_wait_queue"),
            Frame.nativeCode("libc.so.6", "__futex_abstimed_wait_common", false),
            Frame.nativeCode("libjvm.so", "Parker::park(bool, long)", true),
            new Frame("jdk.internal.misc.Unsafe", "park", "(ZJ)V", FrameType.INTERPRETED, -1, 0),
            new Frame("java.util.concurrent.locks.LockSupport", "parkNanos", "(Ljava/lang/Object;J)V", FrameType.INLINED, 252, 20),
            new Frame("io.kfr.demo.Worker", "run", "()V", FrameType.JIT_COMPILED, 42, 7),
            new Frame("java.lang.Thread", "run", "()V", FrameType.INTERPRETED, 833, 11)), false);

    static final StackTrace ODD = new StackTrace(List.of(
            Frame.kernel("do_sys_poll"),
            Frame.unknown("[vdso]"),
            new Frame("io.kfr.demo.Main$$Lambda/0x0000000801001234", "run", "", FrameType.JIT_COMPILED, 3, 1),
            new Frame("io.kfr.demo.Main", "main", "([Ljava/lang/String;)V", FrameType.INTERPRETED, 10, 4)), true);

    /** A CPU sample's stack with every frame type: kernel, libc, libjvm, a Java native method, compiled Java. */
    static final StackTrace CPU = new StackTrace(List.of(
            Frame.kernel("copy_user_enhanced_fast_string"),
            Frame.kernel("vfs_write"),
            Frame.nativeCode("libc.so.6", "__memmove_avx_unaligned_erms", false),
            Frame.nativeCode("libjvm.so", "JVM_ArrayCopy", true),
            new Frame("java.io.FileOutputStream", "writeBytes", "([BIIZ)V", FrameType.JAVA_NATIVE, -1, 0),
            new Frame("io.kfr.demo.Hot", "mix", "(J)J", FrameType.INLINED, 17, 5),
            new Frame("io.kfr.demo.Hot", "loop", "(I)J", FrameType.JIT_COMPILED, 12, 30),
            new Frame("io.kfr.demo.Main", "main", "([Ljava/lang/String;)V", FrameType.INTERPRETED, 8, 2)), false);

    /** The marker CPU sample: on main, at a time and on a CPU no other sample has. */
    static final long CPU_MARKER_OFFSET_NANOS = 98_765_432L;
    static final int CPU_MARKER_CPU = 77;
    static final long CPU_MARKER_WEIGHT_NANOS = 10_101_010L;

    static final StackTrace KERNEL_ONLY = new StackTrace(List.of(
            Frame.kernel("schedule"), Frame.kernel("io_schedule"), Frame.kernel("folio_wait_bit_common")), false);

    TestSamples(TimeBase tb, int mainTid, int count) {
        main = new ThreadRef(mainTid, "main", 1, "main");
        worker = new ThreadRef(900_001, "kfr-worker-1", 42, "kfr-worker-1");
        gc = new ThreadRef(900_002, "GC Thread#0", -1, null);
        unicode = new ThreadRef(900_003, "wörker-λ", 43, "wörker-λ-日本");
        ThreadRef[] threads = {main, worker, gc, unicode};
        stacks = List.of(FULL, ODD, KERNEL_ONLY, StackTrace.EMPTY, FULL);
        OffCpuState[] states = OffCpuState.values();

        marker = new OffCpuSample(main, tb.startNanos() + MARKER_OFFSET_NANOS, MARKER_DURATION_NANOS, OffCpuState.D,
                999, MARKER_SYSCALL, 1, false, FULL);
        offCpu.add(marker);
        for (int i = 1; i < count; i++) {
            boolean aggregated = i % 10 == 0;
            int syscall = i % 3 == 0 ? 202 : i % 3 == 1 ? -1 : 7;
            String syscallName = i % 3 == 0 ? "futex" : null;
            offCpu.add(new OffCpuSample(threads[i % threads.length], tb.startNanos() + 1_000_000L + i * 37_003L + i % 7,
                    1_000L + (i * 7_919L) % 5_000_000L, states[i % states.length], syscall, syscallName,
                    aggregated ? 1 + i % 13 : 1, aggregated, stacks.get(i % stacks.size())));
        }
        for (int i = 0; i < 5; i++) {
            // the counters of the event in field order, each a value of its own (the waker counters 0)
            long[] values = {1000L * i, 5_000_000L * i, 900L * i, 80L * i, i, 2L * i, 3_000L * i, i % 2, 7L * i, 11L * i,
                    13L * i, 17L * i, 19L * i, 23L * i, 29L * i, 31L * i, 37L * i, 39L * i, 41L * i, 43L * i, 47L * i,
                    53L * i, 59L * i, 61L * i, 67L * i, 71L * i, 73L * i, 79L * i, 83L * i};
            CollectorStatistics.Builder b = CollectorStatistics.builder("offcpu").javaFramesSelfTest("passed (" + i + ")");
            for (int c = 0; c < values.length; c++) {
                b.put(KfrEventTypes.STATISTICS_COUNTERS.get(c), values[c]);
            }
            statistics.add(b.build(tb.startNanos() + 100_000_000L * i));
        }
    }

    /**
     * CPU samples on the same threads and in the same time range as the off-CPU samples, every one
     * at a time of its own (the marker's first): each thread, stack and CPU 0-3 recurs.
     */
    List<CpuSample> cpuSamples(TimeBase tb, int count) {
        ThreadRef[] threads = {main, worker, gc, unicode};
        List<StackTrace> cpuStacks = List.of(CPU, FULL, KERNEL_ONLY, ODD, StackTrace.EMPTY, CPU);
        List<CpuSample> samples = new ArrayList<>();
        samples.add(new CpuSample(main, tb.startNanos() + CPU_MARKER_OFFSET_NANOS, CPU_MARKER_CPU, CPU_MARKER_WEIGHT_NANOS, CPU));
        for (int i = 1; i < count; i++) {
            samples.add(new CpuSample(threads[i % threads.length], tb.startNanos() + 500_000L + i * 50_021L, i % 4,
                    1_000_000L + (i % 5) * 250_000L, cpuStacks.get(i % cpuStacks.size())));
        }
        return samples;
    }

    KfrChunk fill(KfrChunk chunk) {
        offCpu.forEach(chunk::addOffCpu);
        statistics.forEach(chunk::addStatistics);
        return chunk;
    }

    /** The off-CPU samples in the order kfr's chunk holds them: by end time, ties in the order added. */
    List<OffCpuSample> offCpuInChunkOrder() {
        List<OffCpuSample> sorted = new ArrayList<>(offCpu);
        sorted.sort(Comparator.comparingLong(s -> s.startEpochNanos() + s.durationNanos()));
        return sorted;
    }

    long countOn(ThreadRef t) {
        return offCpu.stream().filter(s -> s.thread().equals(t)).count();
    }

    /** Expected syscall field as written (name, number, or null). */
    static String syscallField(OffCpuSample s) {
        return s.syscallName() != null ? s.syscallName() : s.syscall() >= 0 ? "syscall#" + s.syscall() : null;
    }

    /** Class name a reader shows for a frame's owner (dots; "[vdso]" → "vdso"; hidden class "+" suffix). */
    static String shownClass(Frame f) {
        return ConstantPools.className(f.owner(), f.type().isJava()).replace('/', '.');
    }
}
