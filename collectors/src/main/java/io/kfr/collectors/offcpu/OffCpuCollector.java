package io.kfr.collectors.offcpu;

import io.kfr.collectors.Clocks;
import io.kfr.collectors.FailureReport;
import io.kfr.collectors.CollectorException;
import io.kfr.collectors.CollectorStatistics;
import io.kfr.collectors.OffCpuSample;
import io.kfr.collectors.OffCpuState;
import io.kfr.collectors.StackTrace;
import io.kfr.collectors.ThreadRef;
import io.kfr.collectors.Tids;
import io.kfr.collectors.WorkerStop;
import io.kfr.collectors.natives.DirectBuffers;
import io.kfr.collectors.natives.KfrNative;
import io.kfr.collectors.natives.NativeLibrary;
import io.kfr.collectors.stacks.JavaStacks;
import io.kfr.collectors.stacks.StackResolver;
import io.kfr.collectors.symbols.SharedSymbols;
import io.kfr.collectors.symbols.Syscalls;
import io.kfr.collectors.threads.ThreadDirectory;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
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
 * their counters then match what was delivered exactly (see {@link CollectorStatistics}).
 * Names of threads that ended before they could be looked up come from the kernel (the name a
 * thread had when it exited), through {@link ThreadDirectory#setExitedThreadNames}.
 */
public final class OffCpuCollector implements AutoCloseable {
    private static final int POLL_MILLIS = 100;
    private static final long PARK_WAIT_MILLIS = 1_000;

    private final long handle;
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
    private final WorkerStop stop;
    private final Wakers.ForeignThreads foreignThreads = new Wakers.ForeignThreads();
    private volatile Throwable failure;
    private final java.util.function.Consumer<Throwable> failureSink;
    private long periodStartEpochNanos;
    /** Why the start-up self-test turned Java frames off, or null. */
    private String selfTestFailure;

    private OffCpuCollector(long handle, int pid, OffCpuConfig config, ThreadDirectory threads, OffCpuListener listener,
                            Thread worker, int workerTid) {
        this.handle = handle;
        this.pid = pid;
        this.config = config;
        this.threads = threads;
        this.listener = listener;
        this.failureSink = listener::onFailure; // made now: there may be no heap for it later
        FailureReport.load(); // likewise: loading a class needs heap
        this.stop = new WorkerStop(worker, () -> KfrNative.collectorWake(handle));
        this.workerTid = workerTid;
        this.javaStacks = new JavaStacks(buffer -> KfrNative.collectorJavaStacks(handle, buffer),
                () -> KfrNative.collectorJavaForget(handle));
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
        Starter starter = new Starter();
        Thread worker = new Thread(starter, "kfr-offcpu");
        worker.setDaemon(true);
        worker.start();
        int tid = starter.awaitParked(worker);
        if (tid <= 0) {
            starter.abort();
            throw new CollectorException("off-CPU collector: cannot read the collector thread's tid (/proc/thread-self)");
        }
        // Java frames only once they have passed the self-test (its program is gone before ours loads)
        String selfTest = config.javaFrames() ? JavaFramesSelfTest.verdict(pid) : "";
        if (!selfTest.isEmpty()) {
            config = config.withJavaFrames(false);
        }
        long handle = KfrNative.offcpuOpen(pid, config.thresholdNanos(), config.ringBufferBytes(), config.javaFrames());
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
            collector = new OffCpuCollector(handle, pid, config, threads, listener, worker, tid);
            collector.selfTestFailure = selfTest.isEmpty() ? null : selfTest;
        } catch (CollectorException | RuntimeException | Error e) {
            KfrNative.collectorClose(handle);
            starter.abort();
            throw e;
        }
        threads.setExitedThreadNames(collector.exitedNames);
        threads.setStartedThreadIdentities(KfrNative::javaThreadIdentity);
        collector.periodStartEpochNanos = Clocks.nowEpochNanos();
        starter.go(collector);
        return collector;
    }

    public String attachMode() {
        return KfrNative.offcpuAttachMode(handle);
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

    /** The error that stopped the collector thread early, or null. */
    public Throwable failure() {
        return failure;
    }

    /** The name an exited thread of the process had when it exited (kept by the kernel), or null. */
    String exitedThreadName(int tid) {
        return KfrNative.offcpuThreadName(handle, tid);
    }

    private void run() {
        try {
            // After the program was loaded, so that kallsyms already lists it (its frames are stripped).
            stacks = new StackResolver((id, ips) -> KfrNative.collectorStack(handle, id, ips), SharedSymbols.kernel(),
                    SharedSymbols.process(pid), javaStacks);
            long nextDrain = System.nanoTime() + config.drainPeriodMillis() * 1_000_000L;
            while (stop.running()) {
                pollEvents(POLL_MILLIS);
                if (System.nanoTime() - nextDrain >= 0) {
                    drainAggregates(1);
                    listener.onStatistics(statistics());
                    nextDrain += config.drainPeriodMillis() * 1_000_000L;
                }
            }
            // Detach first: from then on the kernel's counters are final. Then deliver all that is
            // still in the ring buffer and in both aggregation maps, then the statistics.
            if (KfrNative.collectorDetach(handle) != 0) {
                throw new IllegalStateException("offcpuDetach: " + KfrNative.lastError());
            }
            while (pollEvents(0) > 0) {
                // flush what the ring buffer still holds
            }
            drainAggregates(2);
            listener.onStatistics(statistics());
        } catch (Throwable t) {
            failure = t;
        } finally {
            // each step on its own: with the heap full (OutOfMemoryError) any of them may fail, and
            // the program must be detached and closed whatever happens
            try {
                KfrNative.collectorClose(handle);
            } catch (Throwable t) {
                failure = failure == null ? t : failure;
            }
            try {
                threads.clearExitedThreadNames(exitedNames);
                DirectBuffers.give(events); // nothing writes into them once the handle is closed
                DirectBuffers.give(aggregates);
                javaStacks.releaseBuffer();
            } catch (Throwable t) {
                failure = failure == null ? t : failure;
            }
        }
        if (failure != null) {
            stacks = null; // its caches may be what filled the heap: let them go before saying so
            FailureReport.tell(failureSink, failure);
        }
    }

    private int pollEvents(int timeoutMillis) {
        int n = KfrNative.collectorPoll(handle, events, timeoutMillis);
        javaStacks.read(); // the stacks these events refer to were sent before them
        for (int i = 0; i < n; i++) {
            int at = i * EVENT_SIZE;
            int tid = i32(events, at, EVENT_TID);
            ThreadRef thread = threads.lookup(tid);
            int syscall = i32(events, at, EVENT_SYSCALL);
            StackTrace stack = stacks.resolve(i32(events, at, EVENT_KSTACK), i32(events, at, EVENT_USTACK),
                    i64(events, at, EVENT_JAVA_REF));
            listener.onSample(new OffCpuSample(thread,
                    Clocks.monotonicToEpochNanos(i64(events, at, EVENT_START_NS)),
                    i64(events, at, EVENT_DURATION_NS),
                    OffCpuState.fromCode(i32(events, at, EVENT_STATE)),
                    syscall, Syscalls.name(syscall), 1, false, stack, waker(at)));
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
            // waker stack ids may be reused by the kernel (see KFR_WAKER_STACK_ID_BIT): never cached
            StackTrace kernel = stacks.resolveUncached(i32(events, at, EVENT_WAKER_KSTACK), -1, 0);
            String context = Wakers.context(kernel);
            if (context != null) {
                // an interrupt or softirq: current was whatever it interrupted, its user stack is not the waker's
                return new OffCpuSample.Waker(context, null, Wakers.interruptPart(kernel));
            }
            stack = tgid == pid
                    ? stacks.resolveUncached(i32(events, at, EVENT_WAKER_KSTACK), i32(events, at, EVENT_WAKER_USTACK),
                    i64(events, at, EVENT_WAKER_JAVA_REF))
                    : kernel;
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
                n = KfrNative.offcpuDrainAggregates(handle, aggregates, swap);
                if (n < 0) {
                    throw new IllegalStateException("offcpuDrainAggregates: " + KfrNative.lastError());
                }
                swap = false;
                javaStacks.read();
                for (int i = 0; i < n; i++) {
                    int at = i * AGG_SIZE;
                    int tid = i32(aggregates, at, AGG_TID);
                    int syscall = i32(aggregates, at, AGG_SYSCALL);
                    StackTrace stack = stacks.resolve(i32(aggregates, at, AGG_KSTACK), i32(aggregates, at, AGG_USTACK),
                            i64(aggregates, at, AGG_JAVA_REF));
                    listener.onSample(new OffCpuSample(threads.lookup(tid), periodStart,
                            i64(aggregates, at, AGG_TOTAL_NS),
                            OffCpuState.fromCode(i32(aggregates, at, AGG_STATE)),
                            syscall, Syscalls.name(syscall), i64(aggregates, at, AGG_COUNT), true, stack));
                }
            } while (n * AGG_SIZE >= aggregates.capacity());
        }
    }

    /** Cumulative statistics of this collector; collector thread only (it owns the stats array). */
    private CollectorStatistics statistics() {
        KfrNative.collectorStats(handle, stats);
        return new CollectorStatistics(Clocks.nowEpochNanos(), "offcpu",
                stats[STAT_PROG_RUN_CNT], stats[STAT_PROG_RUN_NS],
                stats[CNT_EVENTS], stats[CNT_AGGREGATED],
                stats[CNT_RINGBUF_FULL], stats[CNT_AGG_FULL], stats[CNT_AGG_FULL_NS],
                stats[CNT_KSTACK_ERR] + stats[CNT_USTACK_ERR], stacks.unknownFrames(),
                stats[CNT_STACK_WALK], stats[CNT_STACK_CACHE_HIT],
                stats[CNT_STORAGE_FALLBACK], stats[CNT_STORAGE_ERR],
                stats[CNT_MISSED_SWITCH_IN], stats[CNT_MISSED_LOST] + stats[CNT_MISSED_SWITCH_OUT],
                stats[STAT_PROG_RECURSION_MISSES], stats[CNT_EXCLUDED],
                ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime(),
                new CollectorStatistics.JavaWalks(stats[CNT_JAVA_WALK], stats[CNT_JAVA_WALK_NS], stats[CNT_JAVA_FRAMES],
                        stats[CNT_JAVA_CACHE_HIT], stats[CNT_JAVA_VERIFY_MISS], stats[CNT_JAVA_NO_ANCHOR],
                        stats[CNT_JAVA_BROKEN], stats[CNT_JAVA_TRUNCATED], stats[CNT_JAVA_SENT], stats[CNT_JAVA_LOST],
                        stats[CNT_JAVA_FROM_REGS]),
                new CollectorStatistics.Wakers(stats[CNT_WAKEUPS], stats[CNT_WAKER_STACKS], stats[STAT_WAKER_RUN_CNT],
                        stats[STAT_WAKER_RUN_NS]));
    }

    /**
     * Asks the collector's thread to finish without waiting for it ({@link #close} waits): a
     * session stopping several collectors lets their last polls overlap.
     */
    public void requestStop() {
        stop.request();
    }

    /**
     * Stops collecting: detaches the program, delivers everything still buffered in the kernel and
     * the final statistics, and releases everything. Waits up to 5 s for the collector thread.
     */
    @Override
    public void close() {
        stop.requestAndWait();
    }

    /** The collector thread's first steps: report its tid, then wait (blocked) for the collector. */
    private static final class Starter implements Runnable {
        private final CountDownLatch tidKnown = new CountDownLatch(1);
        private final CompletableFuture<OffCpuCollector> ready = new CompletableFuture<>();
        private volatile int tid = -1;

        @Override
        public void run() {
            tid = Tids.current();
            tidKnown.countDown();
            OffCpuCollector collector = ready.join();
            if (collector != null) {
                collector.run(); // catches everything: the JVM's handler prints nothing for kfr
            }
        }

        /** The thread's tid, once it is blocked waiting for {@link #go} (or after at most 1 s). */
        int awaitParked(Thread worker) {
            boolean interrupted = false;
            long deadline = System.nanoTime() + PARK_WAIT_MILLIS * 1_000_000L;
            while (true) {
                try {
                    tidKnown.await();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            while (worker.getState() != Thread.State.WAITING && System.nanoTime() - deadline < 0) {
                Thread.onSpinWait();
                Thread.yield();
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            return tid;
        }

        void go(OffCpuCollector collector) {
            ready.complete(collector);
        }

        void abort() {
            ready.complete(null);
        }
    }
}
