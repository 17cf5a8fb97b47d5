package io.kfr.jfr.live;

import io.kfr.collectors.Frame;
import io.kfr.collectors.OffCpuSample;
import io.kfr.collectors.OffCpuState;
import io.kfr.collectors.StackTrace;
import io.kfr.collectors.ThreadRef;

import jdk.jfr.FlightRecorder;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongFunction;
import java.util.stream.Collectors;

/**
 * Sums off-CPU samples per (thread, state) during a period and commits one {@link OffCpuSummaryEvent}
 * for each at the end of the period, from the collector thread, and whatever is pending when the
 * JVM's recording ends a chunk, from JFR's thread (a periodic event of period endChunk): so the
 * last period is in the JVM's recording too, although JFR's shutdown hook, which writes it, runs
 * beside kfr's own.
 */
public final class LiveSummaries {
    private static final int TOP_FRAMES = 6;
    /**
     * How long JFR's shutdown hook waits in the chunk's end for kfr's collectors to deliver their
     * last period; kfr's own hook waits for JFR's file up to 10 s (JvmRecording), and the JVM's
     * exit is delayed by this at most once.
     */
    private static final long FINAL_PERIOD_WAIT_MILLIS = 5_000;

    private final LongFunction<Thread> javaThreads;
    private final Map<Key, Sum> sums = new HashMap<>();
    private final Runnable atChunkEnd = this::commitAtChunkEnd;
    /** Guards the registration only: JFR's locks are never taken while holding this object's. */
    private final Object registration = new Object();
    private volatile boolean registered;
    /** The collectors delivered their last samples: nothing more will be added. */
    private boolean finished;
    /** Summaries (thread and state pairs) that came when no JVM recording took them. */
    private long notCommitted;

    public LiveSummaries(LongFunction<Thread> javaThreads) {
        this.javaThreads = javaThreads;
    }

    public void add(OffCpuSample s) {
        if (!FlightRecorder.isInitialized()) {
            return; // no recording can take them (commitPeriod)
        }
        synchronized (this) {
            sums.computeIfAbsent(new Key(s.thread(), s.state()), k -> new Sum()).add(s);
        }
    }

    /**
     * Registers the event with JFR (once JFR runs: kfr's recording has started). Explicitly, from the
     * thread that started the recording: the collector thread may first touch the event class
     * while the main thread is still starting JFR, and a class that missed JFR's instrumentation
     * that way stays disabled for the whole run (seen as runs without a single summary).
     */
    public void register() {
        synchronized (registration) {
            if (registered || !FlightRecorder.isInitialized()) {
                return;
            }
            FlightRecorder.addPeriodicEvent(OffCpuSummaryEvent.class, atChunkEnd);
            registered = true;
        }
    }

    /** Commits the period's summaries (if the event is enabled in a running recording) and starts a new period. */
    public void commitPeriod() {
        if (!FlightRecorder.isInitialized()) {
            // no recording can be running (and add kept nothing); touching the event class would
            // bring up JFR's metadata (~1 MB of the application's heap) for nothing
            return;
        }
        register();
        synchronized (this) {
            commitPending();
        }
    }

    /**
     * The collectors have stopped: JFR's hook stops waiting for them, later chunks get nothing. The
     * summaries of the last period are committed first (the collectors' own last commit may have
     * come before it).
     * @return summaries of the run that no JVM recording took (the recording had ended or the
     *         event was off in it)
     */
    public long finish() {
        long lost;
        synchronized (this) {
            if (!finished && FlightRecorder.isInitialized()) {
                commitPending();
            }
            sums.clear();
            finished = true;
            notifyAll();
            lost = notCommitted;
        }
        synchronized (registration) {
            if (registered && !jvmExiting()) {
                FlightRecorder.removePeriodicEvent(atChunkEnd); // a later session registers its own
                registered = false;
            }
        }
        return lost;
    }

    /**
     * JFR's thread, at the end of a chunk (a rotation, a dump, the recording's stop). At JVM exit
     * this is JFR's shutdown hook writing the recording: it waits (bounded) for kfr's hook to
     * stop the collectors, whose last samples then enter the chunk.
     */
    private synchronized void commitAtChunkEnd() {
        if (!finished && jvmExiting()) {
            long deadline = System.nanoTime() + FINAL_PERIOD_WAIT_MILLIS * 1_000_000L;
            long left;
            while (!finished && (left = deadline - System.nanoTime()) > 0) {
                try {
                    wait(Math.max(1, left / 1_000_000L));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        commitPending();
    }

    private void commitPending() {
        if (sums.isEmpty()) {
            return;
        }
        OffCpuSummaryEvent probe = new OffCpuSummaryEvent();
        if (probe.isEnabled()) {
            for (Map.Entry<Key, Sum> e : sums.entrySet()) {
                ThreadRef t = e.getKey().thread();
                Sum sum = e.getValue();
                OffCpuSummaryEvent event = new OffCpuSummaryEvent();
                event.sampledThread = t.isJava() ? javaThreads.apply(t.javaThreadId()) : null;
                event.osThreadId = t.tid();
                event.threadName = t.displayName();
                event.state = e.getKey().state().name();
                event.total = sum.total;
                event.count = sum.count;
                event.topFrames = sum.topStack();
                event.commit();
            }
        } else {
            notCommitted += sums.size();
        }
        sums.clear();
    }

    /** Shutdown hooks are running (JFR's among them): a hook can no longer be added. */
    private static boolean jvmExiting() {
        Thread probe = new Thread(() -> { }, "kfr-exit-probe");
        try {
            Runtime.getRuntime().addShutdownHook(probe);
            Runtime.getRuntime().removeShutdownHook(probe);
            return false;
        } catch (IllegalStateException e) {
            return true;
        }
    }

    private static final class Key {
        private final ThreadRef thread;
        private final OffCpuState state;

        private Key(ThreadRef thread, OffCpuState state) {
            this.thread = thread;
            this.state = state;
        }

        public ThreadRef thread() {
            return thread;
        }

        public OffCpuState state() {
            return state;
        }

        @Override
        public boolean equals(Object other) {
            if (this == other) {
                return true;
            }
            if (!(other instanceof Key)) {
                return false;
            }
            Key o = (Key) other;
            return Objects.equals(thread, o.thread) && Objects.equals(state, o.state);
        }

        @Override
        public int hashCode() {
            int h = 0;
            h = 31 * h + Objects.hashCode(thread);
            h = 31 * h + Objects.hashCode(state);
            return h;
        }

        @Override
        public String toString() {
            return "Key[thread=" + thread + ", state=" + state + "]";
        }
    }

    /**
     * A thread's time in one state this period, and its heaviest stack: exact totals; the stack
     * found with a bounded count of candidates (Space-Saving: the stack with more than
     * 1/{@link #CANDIDATES} of the time is always found, and its weight is over-estimated by at most
     * the least candidate's), so a period of many distinct stacks keeps {@value #CANDIDATES} of
     * them, not all.
     */
    private static final class Sum {
        static final int CANDIDATES = 8;
        long total;
        long count;
        final StackTrace[] stacks = new StackTrace[CANDIDATES];
        final long[] weights = new long[CANDIDATES];

        void add(OffCpuSample s) {
            total += s.durationNanos();
            count += s.count();
            StackTrace stack = s.stack();
            int least = 0;
            for (int i = 0; i < CANDIDATES; i++) {
                if (stacks[i] == stack || stacks[i] == null) {
                    stacks[i] = stack;
                    weights[i] += s.durationNanos();
                    return;
                }
                if (weights[i] < weights[least]) {
                    least = i;
                }
            }
            stacks[least] = stack; // takes over the least one's weight
            weights[least] += s.durationNanos();
        }

        String topStack() {
            int top = -1;
            for (int i = 0; i < CANDIDATES && stacks[i] != null; i++) {
                if (top < 0 || weights[i] > weights[top]) {
                    top = i;
                }
            }
            if (top < 0 || stacks[top] == null) {
                return "";
            }
            return stacks[top].frames().stream().limit(TOP_FRAMES).map(Frame::toString).collect(Collectors.joining(" <- "));
        }
    }
}
