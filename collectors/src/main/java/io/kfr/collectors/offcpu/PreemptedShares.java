package io.kfr.collectors.offcpu;

import io.kfr.collectors.Frame;
import io.kfr.collectors.FrameType;
import io.kfr.collectors.OffCpuSample;
import io.kfr.collectors.StackTrace;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Preempted time (state R) between two drains, whose stacks the kernel took for a random 1 in N
 * switch-outs ({@code offcpu.preempted}). The kernel sums the other preempted intervals per thread
 * and system call, without a stack and whatever their length.
 * <p>
 * The estimator: per thread and system call, every sampled stack's time (its sums and its events) is
 * scaled by the same factor, (sampled + unsampled) / sampled, and the part its events do not already
 * hold is delivered as a sum on that stack. The stacks together then hold the group's exact time and
 * count (a thread's preempted time is never estimated), and each stack the share its sampled
 * intervals had of the sampled time. The kernel's choice is random and independent of the stack and
 * of the interval's length, so that share is a ratio estimate of the stack's share of the time,
 * weighted by time (its error is measured in docs/measurements.md). Unsampled time of a group with
 * no sampled stack in the period stays under {@link #NOT_SAMPLED}.
 */
final class PreemptedShares {
    /** The stack of preempted time no sampled stack of the same thread could take. */
    static final StackTrace NOT_SAMPLED = new StackTrace(
            List.of(new Frame("kfr", "[preempted, stack not sampled]", "()V", FrameType.NATIVE, -1, -1)), false);

    /** One sampled stack of a group: its sums (not yet delivered) and its events (delivered). */
    private static final class Part {
        OffCpuSample sum;
        OffCpuSample event;
        long sumNanos;
        long sumCount;
        long eventNanos;
        long eventCount;
    }

    private static final class Group {
        final Map<StackTrace, Part> parts = new LinkedHashMap<>();
        long sampledNanos;
        long sampledCount;
        OffCpuSample unsampled;
    }

    private final Map<Long, Group> groups = new HashMap<>();

    private Group group(int tid, int syscall) {
        return groups.computeIfAbsent(((long) tid << 32) | (syscall & 0xffffffffL), k -> new Group());
    }

    /** A sum of preempted intervals with a sampled stack: delivered by {@link #deliver}, scaled. */
    void sampledSum(int tid, OffCpuSample s) {
        Group g = group(tid, s.syscall());
        Part p = g.parts.computeIfAbsent(s.stack(), k -> new Part());
        p.sum = s;
        p.sumNanos += s.durationNanos();
        p.sumCount += s.count();
        g.sampledNanos += s.durationNanos();
        g.sampledCount += s.count();
    }

    /** A preempted interval with a sampled stack, delivered as an event of its own: counted here only. */
    void sampledEvent(int tid, OffCpuSample s) {
        Group g = group(tid, s.syscall());
        Part p = g.parts.computeIfAbsent(s.stack(), k -> new Part());
        p.event = s;
        p.eventNanos += s.durationNanos();
        p.eventCount += s.count();
        g.sampledNanos += s.durationNanos();
        g.sampledCount += s.count();
    }

    /** The sum of a thread's preempted intervals without a stack. */
    void unsampled(int tid, OffCpuSample s) {
        Group g = group(tid, s.syscall());
        g.unsampled = g.unsampled == null ? s : with(s, s.startEpochNanos(), g.unsampled.durationNanos()
                + s.durationNanos(), g.unsampled.count() + s.count(), NOT_SAMPLED);
    }

    /** Delivers every group's sums, scaled, as sums of the period that began at {@code periodStart}; forgets all. */
    void deliver(long periodStart, Consumer<OffCpuSample> listener) {
        for (Group g : groups.values()) {
            if (g.unsampled == null || g.sampledNanos <= 0 || g.sampledCount <= 0) {
                for (Part p : g.parts.values()) {
                    if (p.sum != null) {
                        listener.accept(with(p.sum, periodStart, p.sumNanos, p.sumCount, p.sum.stack()));
                    }
                }
                if (g.unsampled != null) {
                    listener.accept(with(g.unsampled, periodStart, g.unsampled.durationNanos(), g.unsampled.count(),
                            NOT_SAMPLED));
                }
            } else {
                scale(g, periodStart, listener);
            }
        }
        groups.clear();
    }

    /** Each sampled stack's share of the group's exact total; the last one takes what rounding left. */
    private static void scale(Group g, long periodStart, Consumer<OffCpuSample> listener) {
        long totalNanos = g.sampledNanos + g.unsampled.durationNanos();
        long totalCount = g.sampledCount + g.unsampled.count();
        double nanosFactor = (double) totalNanos / g.sampledNanos;
        double countFactor = (double) totalCount / g.sampledCount;
        // what the sums must add to the events already delivered
        long nanosLeft = totalNanos;
        long countLeft = totalCount;
        for (Part p : g.parts.values()) {
            nanosLeft -= p.eventNanos;
            countLeft -= p.eventCount;
        }
        int i = 0;
        int last = g.parts.size() - 1;
        for (Map.Entry<StackTrace, Part> e : g.parts.entrySet()) {
            Part p = e.getValue();
            long nanos = i == last ? nanosLeft : Math.min(nanosLeft,
                    Math.round((p.sumNanos + p.eventNanos) * nanosFactor) - p.eventNanos);
            long count = i == last ? countLeft : Math.min(countLeft,
                    Math.round((p.sumCount + p.eventCount) * countFactor) - p.eventCount);
            nanosLeft -= nanos;
            countLeft -= count;
            i++;
            if (nanos > 0 || count > 0) {
                OffCpuSample like = p.sum != null ? p.sum : p.event;
                listener.accept(with(like, periodStart, nanos, Math.max(count, 0), e.getKey()));
            }
        }
    }

    private static OffCpuSample with(OffCpuSample s, long start, long nanos, long count, StackTrace stack) {
        return new OffCpuSample(s.thread(), start, nanos, s.state(), s.syscall(), s.syscallName(), count, true, stack,
                s.waker());
    }
}
