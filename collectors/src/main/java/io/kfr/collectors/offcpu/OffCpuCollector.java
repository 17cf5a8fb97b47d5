package io.kfr.collectors.offcpu;

import io.kfr.collectors.Clocks;
import io.kfr.collectors.Collector;
import io.kfr.collectors.CollectorCounters;
import io.kfr.collectors.CollectorException;
import io.kfr.collectors.CollectorStatistics;
import io.kfr.collectors.CollectorWorker;
import io.kfr.collectors.RunningCollector;
import io.kfr.collectors.OffCpuSample;
import io.kfr.collectors.OffCpuState;
import io.kfr.collectors.StackTrace;
import io.kfr.collectors.ThreadRef;
import io.kfr.collectors.natives.CollectorHandle;
import io.kfr.collectors.natives.DirectBuffers;
import io.kfr.collectors.natives.KfrNative;
import io.kfr.collectors.natives.NativeLibrary;
import io.kfr.collectors.probe.CollectorTrial;
import io.kfr.collectors.hotspot.JavaWalkCounters;
import io.kfr.collectors.stacks.JavaStacks;
import io.kfr.collectors.stacks.StackEpochs;
import io.kfr.collectors.stacks.StackResolver;
import io.kfr.collectors.symbols.SharedSymbols;
import io.kfr.collectors.symbols.Syscalls;
import io.kfr.collectors.threads.ThreadDirectory;

import java.io.File;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.function.IntFunction;

import static io.kfr.collectors.offcpu.OffCpuRecords.*;

/**
 * The off-CPU collector: loads the sched_switch BPF program for this process and turns its records
 * into {@link OffCpuSample}s on a daemon thread of its own. Individual intervals arrive through the
 * ring buffer; shorter ones are drained from the kernel's aggregation map once per drain period,
 * together with the collector's statistics.
 * <p>
 * The collector's own thread is excluded in the kernel: it wakes up to read the records, and each
 * wake-up would end an off-CPU interval of its own and make another record. At stop the program is
 * detached first, then everything still in the kernel is delivered, then the final statistics:
 * their counters then match what was delivered exactly (see {@link CollectorStatistics}); the
 * loop is {@link CollectorWorker}'s.
 * Names of threads that ended before they could be looked up come from the kernel (the name a
 * thread had when it exited), through {@link ThreadDirectory#setExitedThreadNames}.
 */
public final class OffCpuCollector implements Collector, RunningCollector {
    private static final long TRIAL_THRESHOLD_NANOS = 1_000_000;

    private final CollectorHandle handle;
    private final OffCpuConfig config;
    private final ThreadDirectory threads;
    private final OffCpuListener listener;
    private final int pid;
    /** Created by the collector thread: loading kernel and ELF symbols stays off the JVM's start-up path. */
    private StackResolver stacks;
    private final JavaStacks javaStacks;
    private final int workerTid;
    private final IntFunction<String> exitedNames = this::exitedThreadName;
    private final ByteBuffer events = DirectBuffers.take(EVENT_SIZE * 4096);
    private final ByteBuffer aggregates = DirectBuffers.take(AGG_SIZE * 8192);
    private final long[] stats = new long[STAT_LEN];
    private final CollectorWorker worker;
    private final Wakers.ForeignThreads foreignThreads = new Wakers.ForeignThreads();
    private final PreemptedShares preempted = new PreemptedShares();
    private long periodStartEpochNanos;
    private final StackEpochs stackEpochs = new StackEpochs(System.nanoTime());
    /** Why the start-up self-test turned Java frames off, or null. */
    private String selfTestFailure;

    private OffCpuCollector(long handle, int pid, OffCpuConfig config, ThreadDirectory threads, OffCpuListener listener,
                            CollectorWorker worker) {
        this.handle = new CollectorHandle(handle, "offcpu");
        this.pid = pid;
        this.config = config;
        this.threads = threads;
        this.listener = listener;
        this.worker = worker;
        this.workerTid = worker.tid();
        this.javaStacks = JavaStacks.acquire();
    }

    /** Loads and attaches the BPF program for process {@code pid} and starts collecting. */
    public static OffCpuCollector start(int pid, OffCpuConfig config, ThreadDirectory threads,
                                        OffCpuListener listener) throws CollectorException {
        String loadError = NativeLibrary.load();
        if (loadError != null) {
            throw new CollectorException(loadError);
        }
        // The collector's thread starts first and waits, blocked, until the collector is ready: it
        // has then been off the CPU since before the program was attached, so once it is excluded
        // no interval of it is pending or recorded.
        CollectorWorker starter = CollectorWorker.park("kfr-offcpu");
        int tid = starter.tid();
        if (tid <= 0) {
            starter.abort();
            throw new CollectorException("off-CPU collector: cannot read the collector thread's tid (/proc/thread-self)");
        }
        // Java frames only once they have passed the self-test (its program is gone before ours loads)
        String selfTest = config.javaFrames() ? JavaFramesSelfTest.verdict(pid) : "";
        if (!selfTest.isEmpty()) {
            config = config.withJavaFrames(false);
        }
        long handle = KfrNative.offcpuOpen(pid, config.thresholdNanos(), config.ringBufferBytes(),
                config.preemptedOneIn(), config.javaFrames());
        if (handle == 0) {
            String why = KfrNative.lastError();
            starter.abort();
            // libkfr's messages already name the collector
            throw new CollectorException(why == null ? "off-CPU collector: unknown error"
                    : why.startsWith("off-CPU collector") ? why : "off-CPU collector: " + why);
        }
        OffCpuCollector collector;
        try {
            int rc = KfrNative.offcpuExcludeThread(handle, tid);
            if (rc != 0) {
                throw new CollectorException("off-CPU collector: cannot exclude its own thread: " + KfrNative.lastError());
            }
            collector = new OffCpuCollector(handle, pid, config, threads, listener, starter);
            collector.selfTestFailure = selfTest.isEmpty() ? null : selfTest;
        } catch (CollectorException | RuntimeException | Error e) {
            KfrNative.collectorClose(handle);
            starter.abort();
            throw e;
        }
        threads.setExitedThreadNames(collector.exitedNames);
        collector.periodStartEpochNanos = Clocks.nowEpochNanos();
        starter.run(collector, listener, threads);
        return collector;
    }

    /** Opens the collector on this process as {@link #start} would, notes how it runs, closes it at once. */
    public static CollectorTrial.Outcome trial() {
        // as the agent does: Java frames only after the start-up self-test
        String selfTest = JavaFramesSelfTest.verdict((int) ProcessHandle.current().pid(), false);
        long h = KfrNative.offcpuOpen((int) ProcessHandle.current().pid(), TRIAL_THRESHOLD_NANOS,
                CollectorTrial.RING_BUFFER_BYTES, OffCpuConfig.DEFAULT_PREEMPTED_ONE_IN, selfTest.isEmpty());
        if (h == 0) {
            return CollectorTrial.Outcome.failed();
        }
        try {
            return new CollectorTrial.Outcome(true, KfrNative.offcpuAttachMode(h),
                    selfTest.isEmpty() ? KfrNative.javaFramesStatus() : selfTest, "");
        } finally {
            KfrNative.collectorClose(h);
        }
    }

    public String attachMode() {
        return KfrNative.offcpuAttachMode(handle.raw());
    }

    /** "" if Java frames are recorded, else why not (they were not requested, or the JVM is not supported). */
    public String javaFramesStatus() {
        if (selfTestFailure != null) {
            return selfTestFailure;
        }
        return config.javaFrames() ? KfrNative.javaFramesStatus() : "off";
    }

    /** Linux tid of the collector's own thread (excluded from recording in the kernel). */
    public int collectorTid() {
        return workerTid;
    }

    @Override
    public Throwable failure() {
        return worker.failure();
    }

    /** The name an exited thread of the process had when it exited (kept by the kernel), or null. */
    String exitedThreadName(int tid) {
        return KfrNative.offcpuThreadName(handle.raw(), tid);
    }

    @Override
    public String name() {
        return "offcpu";
    }

    @Override
    public long periodNanos() {
        return config.drainPeriodMillis() * 1_000_000L;
    }

    @Override
    public void start() {
        // After the program was loaded, so that kallsyms already lists it (its frames are stripped).
        stacks = new StackResolver(handle::stack, SharedSymbols.kernel(), SharedSymbols.process(pid), javaStacks);
    }

    @Override
    public int poll(int timeoutMillis) {
        return pollEvents(timeoutMillis);
    }

    /** Once per period one aggregation map; after the stop both, which empties them. */
    @Override
    public void period(boolean last) {
        drainAggregates(last ? 2 : 1);
        if (!last) {
            // what the ring and the aggregation maps hold is read before the epoch clears a map
            stackEpochs.period(handle, stats, CNT_STACK_WALK, CNT_STACK_COLLISION, () -> {
                pollEvents(0);
                drainAggregates(1);
            }, stacks, this::pendingStackIds);
        }
    }

    /** The stack ids of the off-CPU intervals of this JVM's threads that are running now. */
    private int[] pendingStackIds() {
        int[] tids = threadIds();
        int[] out = new int[2 * tids.length];
        int n = KfrNative.offcpuPendingStacks(handle.raw(), tids, tids.length, out);
        return n <= 0 ? null : Arrays.copyOf(out, n);
    }

    private int[] threadIds() {
        String[] names = new File("/proc/" + pid + "/task").list();
        if (names == null) {
            return new int[0];
        }
        int[] tids = new int[names.length];
        int n = 0;
        for (String name : names) {
            try {
                tids[n++] = Integer.parseInt(name);
            } catch (NumberFormatException e) {
                n--;
            }
        }
        return Arrays.copyOf(tids, n);
    }

    @Override
    public void stop() {
        handle.detach();
    }

    @Override
    public void wake() {
        handle.wake();
    }

    @Override
    public void closeHandle() {
        handle.close();
    }

    @Override
    public void release() {
        stacks = null;
        threads.clearExitedThreadNames(exitedNames);
        DirectBuffers.give(events); // nothing writes into them once the handle is closed
        DirectBuffers.give(aggregates);
        javaStacks.release();
    }

    private int pollEvents(int timeoutMillis) {
        int n = handle.poll(events, timeoutMillis);
        javaStacks.read(); // the stacks these events refer to were sent before them
        for (int i = 0; i < n; i++) {
            int at = i * EVENT_SIZE;
            int tid = i32(events, at, EVENT_TID);
            ThreadRef thread = threads.lookup(tid);
            int syscall = i32(events, at, EVENT_SYSCALL);
            StackTrace stack = stack(i32(events, at, EVENT_KSTACK), i32(events, at, EVENT_USTACK),
                    i64(events, at, EVENT_JAVA_REF));
            listener.onSample(new OffCpuSample(thread, Clocks.monotonicToEpochNanos(i64(events, at, EVENT_START_NS)),
                    i64(events, at, EVENT_DURATION_NS), OffCpuState.fromCode(i32(events, at, EVENT_STATE)), syscall,
                    Syscalls.name(syscall), 1, false, stack, waker(at)));
        }
        return Math.max(n, 0);
    }

    /** The waker of the event at {@code at}, or null if no wake-up was seen (preempted, or not tracked). */
    private OffCpuSample.Waker waker(int at) {
        int flags = i32(events, at, EVENT_WAKER_FLAGS);
        if ((flags & WAKER_SEEN) == 0) {
            return null;
        }
        int tid = i32(events, at, EVENT_WAKER_TID);
        int tgid = i32(events, at, EVENT_WAKER_TGID);
        StackTrace stack = null;
        if ((flags & WAKER_IRQ) != 0) { // the kernel said so; the stack, if taken, also tells a timer
            StackTrace kernel = (flags & WAKER_STACK) != 0
                    ? stacks.resolveUncached(i32(events, at, EVENT_WAKER_KSTACK), -1, 0) : null;
            String context = kernel == null ? null : Wakers.context(kernel);
            return new OffCpuSample.Waker(context != null ? context : OffCpuSample.Waker.INTERRUPT, null,
                    kernel == null ? null : Wakers.interruptPart(kernel));
        }
        if ((flags & WAKER_STACK) != 0) {
            int kstack = i32(events, at, EVENT_WAKER_KSTACK);
            // a thread of this process: its whole stack first; without an interrupt or timer frame
            // in it, its kernel part has none either, and that part need not be read on its own
            StackTrace whole = tgid == pid
                    ? wakerStack(kstack, i32(events, at, EVENT_WAKER_USTACK), i64(events, at, EVENT_WAKER_JAVA_REF))
                    : null;
            if (whole == null || Wakers.context(whole) != null) {
                StackTrace kernel = wakerStack(kstack, -1, 0);
                String context = Wakers.context(kernel);
                if (context != null) {
                    // an interrupt or softirq: current was whatever it interrupted, its user stack is not the waker's
                    return new OffCpuSample.Waker(context, null, Wakers.interruptPart(kernel));
                }
                stack = whole != null ? whole : kernel;
            } else {
                stack = whole;
            }
        }
        if (tid == 0) { // the idle task: only an interrupt wakes anything from there
            return new OffCpuSample.Waker(OffCpuSample.Waker.INTERRUPT, null, stack);
        }
        if (tgid == pid) {
            return new OffCpuSample.Waker(OffCpuSample.Waker.THREAD, threads.peek(tid), stack);
        }
        return new OffCpuSample.Waker(OffCpuSample.Waker.OTHER, foreignThreads.lookup(tid, tgid), stack);
    }

    /**
     * A waker's stacks: those in the wakers' own map may be replaced by the kernel (see
     * KFR_WAKER_STACK_ID_BIT) and are never cached; a waker of this process at a system call has
     * its stacks in the epoch maps, stable like a switch-out's, and reused wake-up after wake-up.
     */
    private StackTrace wakerStack(int kernelStackId, int userStackId, long javaRef) {
        boolean replaceable = kernelStackId >= 0 && (kernelStackId & WAKER_STACK_ID_BIT) != 0
                || userStackId >= 0 && (userStackId & WAKER_STACK_ID_BIT) != 0;
        return replaceable ? stacks.resolveUncached(kernelStackId, userStackId, javaRef)
                : stacks.resolve(kernelStackId, userStackId, javaRef);
    }

    /** An interval's stacks: resolved, or the one frame of a preemption whose stacks were not sampled. */
    private StackTrace stack(int kernelStackId, int userStackId, long javaRef) {
        return kernelStackId == STACK_NOT_SAMPLED ? PreemptedShares.NOT_SAMPLED
                : stacks.resolve(kernelStackId, userStackId, javaRef);
    }

    /**
     * The waker of a sum of short intervals (the kernel keeps sums per waker): a thread of this
     * JVM, another process, or null (preempted, woken in an interrupt: no stack tells a timer from
     * I/O for short intervals, and an unknown kind is better than a wrong one).
     */
    private OffCpuSample.Waker aggregateWaker(int waker) {
        if (waker == AGG_WAKER_NONE) {
            return null;
        }
        if (waker == AGG_WAKER_OTHER) {
            return new OffCpuSample.Waker(OffCpuSample.Waker.OTHER, null, null);
        }
        return new OffCpuSample.Waker(OffCpuSample.Waker.THREAD, threads.peek(waker), null);
    }

    /**
     * Swaps the aggregation maps and delivers the entries of the one no longer written, {@code maps}
     * times: once per period; twice at stop (after detach), which empties both maps.
     */
    private void drainAggregates(int maps) {
        long periodStart = periodStartEpochNanos;
        periodStartEpochNanos = Clocks.nowEpochNanos();
        for (int m = 0; m < maps; m++) {
            boolean swap = true;
            int n;
            do {
                n = KfrNative.offcpuDrainAggregates(handle.raw(), aggregates, swap);
                if (n < 0) {
                    throw new IllegalStateException("offcpuDrainAggregates: " + KfrNative.lastError());
                }
                swap = false;
                javaStacks.read();
                for (int i = 0; i < n; i++) {
                    int at = i * AGG_SIZE;
                    int tid = i32(aggregates, at, AGG_TID);
                    int syscall = i32(aggregates, at, AGG_SYSCALL);
                    StackTrace stack = stack(i32(aggregates, at, AGG_KSTACK), i32(aggregates, at, AGG_USTACK),
                            i64(aggregates, at, AGG_JAVA_REF));
                    OffCpuState state = OffCpuState.fromCode(i32(aggregates, at, AGG_STATE));
                    OffCpuSample sample = new OffCpuSample(threads.lookup(tid), periodStart,
                            i64(aggregates, at, AGG_TOTAL_NS), state, syscall, Syscalls.name(syscall),
                            i64(aggregates, at, AGG_COUNT), true, stack, aggregateWaker(i32(aggregates, at, AGG_WAKER)));
                    if (stack == PreemptedShares.NOT_SAMPLED) {
                        preempted.unsampled(tid, sample);
                    } else if (state == OffCpuState.R && config.preemptedOneIn() > 1) {
                        preempted.sampled(tid, sample);
                    } else {
                        listener.onSample(sample);
                    }
                }
            } while (n * AGG_SIZE >= aggregates.capacity());
        }
        preempted.deliver(listener::onSample);
    }

    /** Cumulative; collector thread only (it owns the stats array). */
    @Override
    public void statistics(CollectorStatistics.Builder into) {
        handle.statistics(stats);
        into.javaFramesSelfTest(JavaFramesSelfTest.outcome());
        into.put(CollectorCounters.BPF_RUN_COUNT, stats[STAT_PROG_RUN_CNT])
                .put(CollectorCounters.BPF_RUN_TIME, stats[STAT_PROG_RUN_NS])
                .put(CollectorCounters.EVENTS_RECORDED, stats[CNT_EVENTS])
                .put(OffCpuCounters.INTERVALS_AGGREGATED, stats[CNT_AGGREGATED])
                .put(OffCpuCounters.RECORDS_LOST, stats[CNT_RINGBUF_FULL])
                .put(CollectorCounters.RECORDS_DROPPED, stats[CNT_AGG_FULL])
                .put(OffCpuCounters.DROPPED_TIME, stats[CNT_AGG_FULL_NS])
                .put(CollectorCounters.STACK_ERRORS, stats[CNT_KSTACK_ERR] + stats[CNT_USTACK_ERR])
                .put(CollectorCounters.STACK_COLLISIONS, stats[CNT_STACK_COLLISION])
                .put(CollectorCounters.STACK_EPOCHS, stackEpochs.epochs())
                .put(CollectorCounters.STACKS_EXPIRED, stacks.expired())
                .put(CollectorCounters.UNKNOWN_FRAMES, stacks.unknownFrames())
                .put(CollectorCounters.STACK_WALKS, stats[CNT_STACK_WALK])
                .put(OffCpuCounters.STACK_CACHE_HITS, stats[CNT_STACK_CACHE_HIT])
                .put(OffCpuCounters.STORAGE_FALLBACKS, stats[CNT_STORAGE_FALLBACK])
                .put(OffCpuCounters.STORAGE_ERRORS, stats[CNT_STORAGE_ERR])
                .put(OffCpuCounters.MISSED_SWITCH_INS, stats[CNT_MISSED_SWITCH_IN])
                .put(OffCpuCounters.INTERVALS_MISSED, stats[CNT_MISSED_LOST] + stats[CNT_MISSED_SWITCH_OUT])
                .put(CollectorCounters.RECURSION_MISSES, stats[STAT_PROG_RECURSION_MISSES])
                .put(OffCpuCounters.EXCLUDED_SWITCHES, stats[CNT_EXCLUDED])
                .put(JavaWalkCounters.WALKS, stats[CNT_JAVA_WALK])
                .put(JavaWalkCounters.WALK_TIME, stats[CNT_JAVA_WALK_NS])
                .put(JavaWalkCounters.FRAMES, stats[CNT_JAVA_FRAMES])
                .put(JavaWalkCounters.CACHE_HITS, stats[CNT_JAVA_CACHE_HIT])
                .put(JavaWalkCounters.VERIFY_MISSES, stats[CNT_JAVA_VERIFY_MISS])
                .put(JavaWalkCounters.NO_ANCHOR, stats[CNT_JAVA_NO_ANCHOR])
                .put(JavaWalkCounters.BROKEN, stats[CNT_JAVA_BROKEN])
                .put(JavaWalkCounters.TRUNCATED, stats[CNT_JAVA_TRUNCATED])
                .put(JavaWalkCounters.STACKS_SENT, stats[CNT_JAVA_SENT])
                .put(JavaWalkCounters.STACKS_LOST, stats[CNT_JAVA_LOST])
                .put(JavaWalkCounters.FROM_REGISTERS, stats[CNT_JAVA_FROM_REGS])
                .put(JavaWalkCounters.UNVERIFIED, stats[CNT_JAVA_UNVERIFIED])
                .put(OffCpuCounters.WAKEUPS, stats[CNT_WAKEUPS])
                .put(OffCpuCounters.WAKER_STACKS, stats[CNT_WAKER_STACKS])
                .put(OffCpuCounters.WAKER_RUN_COUNT, stats[STAT_WAKER_RUN_CNT])
                .put(OffCpuCounters.WAKER_RUN_TIME, stats[STAT_WAKER_RUN_NS])
                .put(OffCpuCounters.PREEMPTED_UNSAMPLED, stats[CNT_PREEMPT_UNSAMPLED])
                .put(OffCpuCounters.PREEMPTED_LATE_STACKS, stats[CNT_PREEMPT_LATE_STACK]);
    }

    @Override
    public void requestStop() {
        worker.requestStop();
    }

    @Override
    public void close() {
        worker.close();
    }
}
