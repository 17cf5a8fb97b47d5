package io.kfr.collectors.cpu;

import static io.kfr.collectors.cpu.CpuRecords.*;

import io.kfr.collectors.Clocks;
import io.kfr.collectors.Collector;
import io.kfr.collectors.CollectorCounters;
import io.kfr.collectors.CollectorException;
import io.kfr.collectors.CollectorStatistics;
import io.kfr.collectors.CollectorWorker;
import io.kfr.collectors.CpuSample;
import io.kfr.collectors.RunningCollector;
import io.kfr.collectors.hotspot.JavaWalkCounters;
import io.kfr.collectors.natives.CollectorHandle;
import io.kfr.collectors.natives.DirectBuffers;
import io.kfr.collectors.natives.KfrNative;
import io.kfr.collectors.natives.NativeLibrary;
import io.kfr.collectors.probe.CollectorTrial;
import io.kfr.collectors.stacks.JavaStacks;
import io.kfr.collectors.stacks.StackEpochs;
import io.kfr.collectors.stacks.StackResolver;
import io.kfr.collectors.symbols.SharedSymbols;
import io.kfr.collectors.threads.ThreadDirectory;
import io.kfr.collectors.offcpu.JavaFramesSelfTest;

import java.nio.ByteBuffer;

/**
 * The CPU sampler: a perf event per CPU with a BPF program that keeps the samples of this
 * process's threads (Java, JIT compiler, GC, VM and native threads alike, including threads started
 * later), with kernel, native and Java stacks. Samples are read, named and delivered on a daemon
 * thread of its own; statistics once per period. Stop: sampling off, then the rest delivered.
 */
public final class CpuCollector implements Collector, RunningCollector {
    private static final long STATS_PERIOD_NANOS = 1_000_000_000L;
    private static final long TRIAL_INTERVAL_NANOS = 10_000_000;

    private final CollectorHandle handle;
    private final int pid;
    private final CpuConfig config;
    private final ThreadDirectory threads;
    private final CpuListener listener;
    private final boolean cpuClock;
    private final JavaStacks javaStacks;
    private final ByteBuffer samples = DirectBuffers.take(SAMPLE_SIZE * 4096);
    private final long[] stats = new long[STAT_LEN];
    private final StackEpochs stackEpochs = new StackEpochs(System.nanoTime());
    private final CollectorWorker worker;
    private StackResolver stacks;

    private CpuCollector(long handle, int pid, CpuConfig config, ThreadDirectory threads, CpuListener listener,
                         CollectorWorker worker) {
        this.handle = new CollectorHandle(handle, "cpu");
        this.pid = pid;
        this.config = config;
        this.threads = threads;
        this.listener = listener;
        this.cpuClock = "cpu-clock".equals(KfrNative.cpuEvent(handle));
        this.javaStacks = JavaStacks.acquire();
        this.worker = worker;
    }

    public static CpuCollector start(int pid, CpuConfig config, ThreadDirectory threads, CpuListener listener)
            throws CollectorException {
        String loadError = NativeLibrary.load();
        if (loadError != null) {
            throw new CollectorException(loadError);
        }
        // Java frames only once they have passed the start-up self-test (see JavaFramesSelfTest)
        boolean javaFrames = config.javaFrames() && JavaFramesSelfTest.verdict(pid).isEmpty();
        long handle = KfrNative.cpuOpen(pid, config.intervalNanos(), config.eventCount(), config.event(),
                config.ringBufferBytes(), javaFrames);
        if (handle == 0) {
            String why = KfrNative.lastError();
            throw new CollectorException(why == null ? "CPU sampler: unknown error" : why);
        }
        CollectorWorker worker = CollectorWorker.start("kfr-cpu");
        CpuCollector c;
        try {
            c = new CpuCollector(handle, pid, config, threads, listener, worker);
        } catch (RuntimeException | Error e) {
            KfrNative.collectorClose(handle);
            worker.abort();
            throw e;
        }
        worker.run(c, listener, threads);
        return c;
    }

    /** Opens the sampler on this process as {@link #start} would, notes how it runs, closes it at once. */
    public static CollectorTrial.Outcome trial() {
        String selfTest = JavaFramesSelfTest.verdict((int) ProcessHandle.current().pid(), false);
        long h = KfrNative.cpuOpen((int) ProcessHandle.current().pid(), TRIAL_INTERVAL_NANOS, 0, "auto",
                CollectorTrial.RING_BUFFER_BYTES, selfTest.isEmpty());
        if (h == 0) {
            return CollectorTrial.Outcome.failed();
        }
        try {
            return new CollectorTrial.Outcome(true, KfrNative.cpuEvent(h),
                    selfTest.isEmpty() ? KfrNative.javaFramesStatus() : selfTest, "");
        } finally {
            KfrNative.collectorClose(h);
        }
    }

    /** "cycles" or "cpu-clock". */
    public String event() {
        return cpuClock ? "cpu-clock" : "cycles";
    }

    @Override
    public Throwable failure() {
        return worker.failure();
    }

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public long periodNanos() {
        return STATS_PERIOD_NANOS;
    }

    @Override
    public void start() {
        stacks = new StackResolver(handle::stack, SharedSymbols.kernel(), SharedSymbols.process(pid), javaStacks);
    }

    @Override
    public void period(boolean last) {
        if (!last) {
            stackEpochs.period(handle, stats, C_SAMPLES, C_STACK_COLLISION, () -> poll(0), stacks);
        }
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
        DirectBuffers.give(samples); // nothing writes into them once the handle is closed
        javaStacks.release();
    }

    @Override
    public int poll(int timeoutMillis) {
        int n = handle.poll(samples, timeoutMillis);
        javaStacks.read(); // the stacks these samples refer to were sent before them
        for (int i = 0; i < n; i++) {
            int at = i * SAMPLE_SIZE;
            long period = samples.getLong(at + S_PERIOD);
            listener.onSample(new CpuSample(threads.lookup(samples.getInt(at + S_TID)),
                    Clocks.monotonicToEpochNanos(samples.getLong(at + S_TIME)), samples.getInt(at + S_CPU),
                    weightNanos(period),
                    stacks.resolve(samples.getInt(at + S_KSTACK), samples.getInt(at + S_USTACK), samples.getLong(at + S_JAVA))));
        }
        return n;
    }

    /**
     * CPU time a sample stands for: the cpu-clock period is in nanoseconds; a cycles sample taken
     * at a time interval (the kernel adjusts the period to the rate) stands for that interval; with
     * an event count there is no time, and the interval's nominal value stays 0.
     */
    private long weightNanos(long period) {
        if (cpuClock) {
            return period;
        }
        return config.eventCount() == 0 ? config.intervalNanos() : 0;
    }

    @Override
    public void statistics(CollectorStatistics.Builder into) {
        handle.statistics(stats);
        into.javaFramesSelfTest(JavaFramesSelfTest.outcome());
        into.put(CollectorCounters.BPF_RUN_COUNT, stats[C_MAX])
                .put(CollectorCounters.BPF_RUN_TIME, stats[C_MAX + 1])
                .put(CollectorCounters.EVENTS_RECORDED, stats[C_SAMPLES])
                // a sample the ring had no room for is lost entirely (nothing aggregates it): dropped
                .put(CollectorCounters.RECORDS_DROPPED, stats[C_LOST])
                .put(CollectorCounters.STACK_ERRORS, stats[C_KSTACK_ERR] + stats[C_USTACK_ERR])
                .put(CollectorCounters.UNKNOWN_FRAMES, stacks == null ? 0 : stacks.unknownFrames())
                .put(CollectorCounters.STACK_WALKS, stats[C_SAMPLES])
                .put(CollectorCounters.STACK_COLLISIONS, stats[C_STACK_COLLISION])
                .put(CollectorCounters.STACK_EPOCHS, stackEpochs.epochs())
                .put(CollectorCounters.STACKS_EXPIRED, stacks == null ? 0 : stacks.expired())
                .put(CollectorCounters.RECURSION_MISSES, stats[C_MAX + 2])
                .put(JavaWalkCounters.WALKS, stats[C_JAVA_WALK])
                .put(JavaWalkCounters.WALK_TIME, stats[C_JAVA_WALK_NS])
                .put(JavaWalkCounters.FRAMES, stats[C_JAVA_FRAMES])
                .put(JavaWalkCounters.NO_ANCHOR, stats[C_JAVA_NO_ANCHOR])
                .put(JavaWalkCounters.BROKEN, stats[C_JAVA_BROKEN])
                .put(JavaWalkCounters.STACKS_SENT, stats[C_JAVA_SENT])
                .put(JavaWalkCounters.STACKS_LOST, stats[C_JAVA_LOST])
                .put(JavaWalkCounters.FROM_REGISTERS, stats[C_JAVA_FROM_REGS]);
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
