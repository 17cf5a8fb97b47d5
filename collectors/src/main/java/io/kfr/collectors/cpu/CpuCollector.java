package io.kfr.collectors.cpu;

import io.kfr.collectors.Clocks;
import io.kfr.collectors.FailureReport;
import io.kfr.collectors.CollectorException;
import io.kfr.collectors.CollectorStatistics;
import io.kfr.collectors.CpuSample;
import io.kfr.collectors.WorkerStop;
import io.kfr.collectors.natives.DirectBuffers;
import io.kfr.collectors.natives.KfrNative;
import io.kfr.collectors.natives.NativeLibrary;
import io.kfr.collectors.stacks.JavaStacks;
import io.kfr.collectors.stacks.StackResolver;
import io.kfr.collectors.symbols.SharedSymbols;
import io.kfr.collectors.threads.ThreadDirectory;
import io.kfr.collectors.offcpu.JavaFramesSelfTest;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;

import static io.kfr.collectors.cpu.CpuRecords.*;

/**
 * The CPU sampler: a perf event per CPU with a BPF program that keeps the samples of this
 * process's threads (Java, JIT compiler, GC, VM and native threads alike, including threads started
 * later), with kernel, native and Java stacks. Samples are read, named and delivered on a daemon
 * thread of its own; statistics once per period. Stop: sampling off, then the rest delivered.
 */
public final class CpuCollector implements AutoCloseable {
    private static final int POLL_MILLIS = 100;
    private static final long STATS_PERIOD_NANOS = 1_000_000_000L;
    private final long handle;
    private final int pid;
    private final CpuConfig config;
    private final ThreadDirectory threads;
    private final CpuListener listener;
    private final boolean cpuClock;
    private final JavaStacks javaStacks;
    private final ByteBuffer samples = DirectBuffers.take(SAMPLE_SIZE * 4096);
    private final long[] stats = new long[C_MAX + 3];
    private final Thread worker;
    private StackResolver stacks;
    private final WorkerStop stop;
    private volatile Throwable failure;
    private final java.util.function.Consumer<Throwable> failureSink;

    private CpuCollector(long handle, int pid, CpuConfig config, ThreadDirectory threads, CpuListener listener) {
        this.handle = handle;
        this.pid = pid;
        this.config = config;
        this.threads = threads;
        this.listener = listener;
        this.failureSink = listener::onFailure; // made now: there may be no heap for it later
        FailureReport.load(); // likewise: loading a class needs heap
        this.cpuClock = "cpu-clock".equals(KfrNative.cpuEvent(handle));
        this.javaStacks = new JavaStacks(buffer -> KfrNative.collectorJavaStacks(handle, buffer),
                () -> KfrNative.collectorJavaForget(handle));
        this.worker = new Thread(this::run, "kfr-cpu");
        this.worker.setDaemon(true);
        this.stop = new WorkerStop(worker, () -> KfrNative.collectorWake(handle));
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
        CpuCollector c = new CpuCollector(handle, pid, config, threads, listener);
        threads.setStartedThreadIdentities(KfrNative::javaThreadIdentity);
        c.worker.start();
        return c;
    }

    /** "cycles" or "cpu-clock". */
    public String event() {
        return cpuClock ? "cpu-clock" : "cycles";
    }

    public Throwable failure() {
        return failure;
    }

    private void run() {
        try {
            stacks = new StackResolver((id, ips) -> KfrNative.collectorStack(handle, id, ips), SharedSymbols.kernel(),
                    SharedSymbols.process(pid), javaStacks);
            long nextStats = System.nanoTime() + STATS_PERIOD_NANOS;
            while (stop.running()) {
                poll(POLL_MILLIS);
                if (System.nanoTime() - nextStats >= 0) {
                    listener.onStatistics(statistics());
                    nextStats += STATS_PERIOD_NANOS;
                }
            }
            KfrNative.collectorDetach(handle);
            while (poll(0) > 0) {
                // what the ring buffer still holds
            }
            listener.onStatistics(statistics());
        } catch (Throwable t) {
            failure = t;
        } finally {
            // each step on its own: with the heap full (OutOfMemoryError) any of them may fail, and
            // the perf events must be closed whatever happens
            try {
                KfrNative.collectorClose(handle);
            } catch (Throwable t) {
                failure = failure == null ? t : failure;
            }
            try {
                DirectBuffers.give(samples); // nothing writes into them once the handle is closed
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

    private int poll(int timeoutMillis) {
        int n = KfrNative.collectorPoll(handle, samples, timeoutMillis);
        if (n < 0) {
            throw new IllegalStateException("cpuPoll: " + KfrNative.lastError());
        }
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

    private CollectorStatistics statistics() {
        KfrNative.collectorStats(handle, stats);
        return new CollectorStatistics(Clocks.nowEpochNanos(), "cpu", stats[C_MAX], stats[C_MAX + 1],
                // a sample the ring had no room for is lost entirely (nothing aggregates it): dropped
                stats[C_SAMPLES], 0, 0, stats[C_LOST], 0, stats[C_KSTACK_ERR] + stats[C_USTACK_ERR],
                stacks == null ? 0 : stacks.unknownFrames(), stats[C_SAMPLES], 0, 0, 0, 0, 0, stats[C_MAX + 2], 0,
                ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime(),
                new CollectorStatistics.JavaWalks(stats[C_JAVA_WALK], stats[C_JAVA_WALK_NS], stats[C_JAVA_FRAMES], 0, 0,
                        stats[C_JAVA_NO_ANCHOR], stats[C_JAVA_BROKEN], 0, stats[C_JAVA_SENT], stats[C_JAVA_LOST],
                        stats[C_JAVA_FROM_REGS]));
    }

    /**
     * Asks the collector's thread to finish without waiting for it ({@link #close} waits): a
     * session stopping several collectors lets their last polls overlap.
     */
    public void requestStop() {
        stop.request();
    }

    /** Stops sampling, delivers what is buffered and the final statistics, releases everything. */
    @Override
    public void close() {
        stop.requestAndWait();
    }
}
