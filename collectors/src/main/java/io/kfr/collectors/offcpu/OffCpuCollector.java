package io.kfr.collectors.offcpu;

import io.kfr.collectors.Clocks;
import io.kfr.collectors.CollectorException;
import io.kfr.collectors.CollectorStatistics;
import io.kfr.collectors.OffCpuSample;
import io.kfr.collectors.OffCpuState;
import io.kfr.collectors.StackTrace;
import io.kfr.collectors.ThreadRef;
import io.kfr.collectors.natives.KfrNative;
import io.kfr.collectors.natives.NativeLibrary;
import io.kfr.collectors.symbols.KernelSymbols;
import io.kfr.collectors.symbols.ProcessMaps;
import io.kfr.collectors.symbols.Syscalls;
import io.kfr.collectors.threads.ThreadDirectory;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import static io.kfr.collectors.offcpu.OffCpuRecords.*;

/**
 * The off-CPU collector: loads the sched_switch BPF program for this process and turns its records
 * into {@link OffCpuSample}s on a daemon thread of its own. Individual intervals arrive through the
 * ring buffer; shorter ones are drained from the kernel's aggregation map once per drain period,
 * together with the collector's statistics.
 */
public final class OffCpuCollector implements AutoCloseable {
    private static final int POLL_MILLIS = 100;
    private static final long STOP_WAIT_MILLIS = 5_000;

    private final long handle;
    private final OffCpuConfig config;
    private final ThreadDirectory threads;
    private final OffCpuListener listener;
    private final StackResolver stacks;
    private final Thread worker;
    private final ByteBuffer events = ByteBuffer.allocateDirect(EVENT_SIZE * 4096).order(ByteOrder.LITTLE_ENDIAN);
    private final ByteBuffer aggregates = ByteBuffer.allocateDirect(AGG_SIZE * 8192).order(ByteOrder.LITTLE_ENDIAN);
    private final long[] stats = new long[STAT_LEN];
    private volatile boolean running = true;
    private volatile int ownTid = -1;
    private volatile Throwable failure;
    private long periodStartEpochNanos;

    private OffCpuCollector(long handle, OffCpuConfig config, ThreadDirectory threads, OffCpuListener listener,
                            KernelSymbols kernel, ProcessMaps maps) {
        this.handle = handle;
        this.config = config;
        this.threads = threads;
        this.listener = listener;
        this.stacks = new StackResolver(handle, kernel, maps);
        this.worker = new Thread(this::run, "kfr-offcpu");
        this.worker.setDaemon(true);
    }

    /** Loads and attaches the BPF program for process {@code pid} and starts collecting. */
    public static OffCpuCollector start(int pid, OffCpuConfig config, ThreadDirectory threads,
                                        OffCpuListener listener) throws CollectorException {
        String loadError = NativeLibrary.load();
        if (loadError != null) {
            throw new CollectorException(loadError);
        }
        long handle = KfrNative.offcpuOpen(pid, config.thresholdNanos(), config.ringBufferBytes());
        if (handle == 0) {
            String why = KfrNative.lastError();
            throw new CollectorException("off-CPU collector: " + (why != null ? why : "unknown error"));
        }
        // After the load, so that kallsyms already lists our own BPF program (its frames are stripped).
        KernelSymbols kernel = new KernelSymbols();
        ProcessMaps maps = new ProcessMaps(pid);
        OffCpuCollector collector = new OffCpuCollector(handle, config, threads, listener, kernel, maps);
        collector.periodStartEpochNanos = Clocks.nowEpochNanos();
        collector.worker.start();
        return collector;
    }

    public String attachMode() {
        return KfrNative.offcpuAttachMode(handle);
    }

    /** Linux tid of the collector's own thread (its samples are left out), -1 before it ran. */
    public int collectorTid() {
        return ownTid;
    }

    /** The error that stopped the collector thread early, or null. */
    public Throwable failure() {
        return failure;
    }

    private void run() {
        ownTid = currentTid();
        try {
            long nextDrain = System.nanoTime() + config.drainPeriodMillis() * 1_000_000L;
            while (running) {
                pollEvents(POLL_MILLIS);
                if (System.nanoTime() - nextDrain >= 0) {
                    drainAggregatesAndStatistics();
                    nextDrain += config.drainPeriodMillis() * 1_000_000L;
                }
            }
            while (pollEvents(0) > 0) {
                // flush what the ring buffer still holds
            }
            drainAggregatesAndStatistics();
        } catch (Throwable t) {
            failure = t;
        } finally {
            KfrNative.offcpuClose(handle);
        }
    }

    private int pollEvents(int timeoutMillis) {
        int n = KfrNative.offcpuPoll(handle, events, timeoutMillis);
        for (int i = 0; i < n; i++) {
            int at = i * EVENT_SIZE;
            int tid = i32(events, at, EVENT_TID);
            if (tid == ownTid) {
                continue;
            }
            ThreadRef thread = threads.lookup(tid);
            int syscall = i32(events, at, EVENT_SYSCALL);
            StackTrace stack = stacks.resolve(i32(events, at, EVENT_KSTACK), i32(events, at, EVENT_USTACK));
            listener.onSample(new OffCpuSample(thread,
                    Clocks.monotonicToEpochNanos(i64(events, at, EVENT_START_NS)),
                    i64(events, at, EVENT_DURATION_NS),
                    OffCpuState.fromCode(i32(events, at, EVENT_STATE)),
                    syscall, Syscalls.name(syscall), 1, false, stack));
        }
        return Math.max(n, 0);
    }

    private void drainAggregatesAndStatistics() {
        long periodStart = periodStartEpochNanos;
        periodStartEpochNanos = Clocks.nowEpochNanos();
        boolean swap = true;
        int n;
        do {
            n = KfrNative.offcpuDrainAggregates(handle, aggregates, swap);
            swap = false;
            for (int i = 0; i < n; i++) {
                int at = i * AGG_SIZE;
                int tid = i32(aggregates, at, AGG_TID);
                if (tid == ownTid) {
                    continue;
                }
                int syscall = i32(aggregates, at, AGG_SYSCALL);
                StackTrace stack = stacks.resolve(i32(aggregates, at, AGG_KSTACK), i32(aggregates, at, AGG_USTACK));
                listener.onSample(new OffCpuSample(threads.lookup(tid), periodStart,
                        i64(aggregates, at, AGG_TOTAL_NS),
                        OffCpuState.fromCode(i32(aggregates, at, AGG_STATE)),
                        syscall, Syscalls.name(syscall), i64(aggregates, at, AGG_COUNT), true, stack));
            }
        } while (n * AGG_SIZE >= aggregates.capacity());
        listener.onStatistics(statistics());
    }

    /** Cumulative statistics of this collector; collector thread only (it owns the stats array). */
    private CollectorStatistics statistics() {
        KfrNative.offcpuStats(handle, stats);
        return new CollectorStatistics(Clocks.nowEpochNanos(), "offcpu",
                stats[STAT_PROG_RUN_CNT], stats[STAT_PROG_RUN_NS],
                stats[CNT_EVENTS], stats[CNT_AGGREGATED],
                stats[CNT_RINGBUF_FULL], stats[CNT_AGG_FULL], stats[CNT_AGG_FULL_NS],
                stats[CNT_KSTACK_ERR] + stats[CNT_USTACK_ERR], stacks.unknownFrames(),
                stats[CNT_STACK_WALK], stats[CNT_STACK_CACHE_HIT]);
    }

    /** Stops collecting, delivers what is still buffered in the kernel, and releases everything. */
    @Override
    public void close() {
        running = false;
        if (Thread.currentThread() != worker) {
            try {
                worker.join(STOP_WAIT_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static int currentTid() {
        try {
            String link = Files.readSymbolicLink(Path.of("/proc/thread-self")).toString();
            return Integer.parseInt(link.substring(link.lastIndexOf('/') + 1));
        } catch (Exception e) {
            return -1;
        }
    }
}
