package io.kfr.jfr.live;

import io.kfr.collectors.Frame;
import io.kfr.collectors.OffCpuSample;
import io.kfr.collectors.OffCpuState;
import io.kfr.collectors.StackTrace;
import io.kfr.collectors.ThreadRef;

import jdk.jfr.FlightRecorder;

import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongFunction;
import java.util.stream.Collectors;

/**
 * Sums off-CPU samples per (thread, state) during a period and commits one {@link OffCpuSummaryEvent}
 * for each at the end of the period. Called from the collector thread only.
 */
public final class LiveSummaries {
    private static final int TOP_FRAMES = 6;

    private final LongFunction<Thread> javaThreads;
    private final Map<Key, Sum> sums = new HashMap<>();
    private boolean registered;

    public LiveSummaries(LongFunction<Thread> javaThreads) {
        this.javaThreads = javaThreads;
    }

    public void add(OffCpuSample s) {
        sums.computeIfAbsent(new Key(s.thread(), s.state()), k -> new Sum()).add(s);
    }

    /** Commits the period's summaries (if the event is enabled in a running recording) and starts a new period. */
    public void commitPeriod() {
        if (sums.isEmpty()) {
            return;
        }
        if (!FlightRecorder.isInitialized()) {
            // no recording can be running; touching the event class would bring up JFR's
            // metadata (~1 MB of the application's heap) for nothing
            sums.clear();
            return;
        }
        if (!registered) {
            // Explicitly: the collector thread may first touch the event class while the main
            // thread is still starting JFR, and a class that missed JFR's instrumentation that
            // way stays disabled for the whole run (seen as runs without a single summary).
            FlightRecorder.register(OffCpuSummaryEvent.class);
            registered = true;
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
        }
        sums.clear();
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

    private static final class Sum {
        long total;
        long count;
        final Map<StackTrace, Long> byStack = new IdentityHashMap<>();

        void add(OffCpuSample s) {
            total += s.durationNanos();
            count += s.count();
            byStack.merge(s.stack(), s.durationNanos(), Long::sum);
        }

        String topStack() {
            StackTrace top = null;
            long best = -1;
            for (Map.Entry<StackTrace, Long> e : byStack.entrySet()) {
                if (e.getValue() > best) {
                    best = e.getValue();
                    top = e.getKey();
                }
            }
            if (top == null) {
                return "";
            }
            return top.frames().stream().limit(TOP_FRAMES).map(Frame::toString).collect(Collectors.joining(" <- "));
        }
    }
}
