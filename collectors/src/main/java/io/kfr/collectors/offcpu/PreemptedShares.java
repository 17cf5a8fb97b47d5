package io.kfr.collectors.offcpu;

import io.kfr.collectors.Frame;
import io.kfr.collectors.FrameType;
import io.kfr.collectors.OffCpuSample;
import io.kfr.collectors.StackTrace;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The short preempted intervals (state R) of one drain, whose stacks the kernel took for a random
 * 1 in N switch-outs ({@code offcpu.preempted}); it sums the others per thread and system call
 * without a stack.
 * <p>
 * The estimator: per thread and system call, each sampled stack's summed time and count are scaled
 * by the same factor, (sampled + unsampled) / sampled, so the stacks together keep the group's exact
 * time and count (a thread's preempted time is never estimated) and each stack gets the share its
 * sampled intervals had of the sampled time. The kernel's choice is random and independent of the
 * stack and of the interval's length, so that share is a ratio estimate of the stack's share of the
 * time, weighted by time (its error is measured in docs/measurements.md). Unsampled time of a group
 * with no sampled stack in the period stays under {@link #NOT_SAMPLED}, as does the stack of an
 * unsampled preemption that lasted the threshold (an event of its own, not summed).
 */
final class PreemptedShares {
    /** The stack of preempted time no sampled stack of the same thread could take. */
    static final StackTrace NOT_SAMPLED = new StackTrace(
            List.of(new Frame("kfr", "[preempted, stack not sampled]", "()V", FrameType.NATIVE, -1, -1)), false);

    private static final class Group {
        final List<OffCpuSample> sampled = new ArrayList<>();
        long sampledNanos;
        long sampledCount;
        OffCpuSample unsampled;
    }

    private final Map<Long, Group> groups = new HashMap<>();

    private Group group(int tid, int syscall) {
        return groups.computeIfAbsent(((long) tid << 32) | (syscall & 0xffffffffL), k -> new Group());
    }

    /** A sum of preempted intervals with a sampled stack. */
    void sampled(int tid, OffCpuSample s) {
        Group g = group(tid, s.syscall());
        g.sampled.add(s);
        g.sampledNanos += s.durationNanos();
        g.sampledCount += s.count();
    }

    /** The sum of a thread's preempted intervals without a stack. */
    void unsampled(int tid, OffCpuSample s) {
        Group g = group(tid, s.syscall());
        g.unsampled = g.unsampled == null ? s : with(s, g.unsampled.durationNanos() + s.durationNanos(),
                g.unsampled.count() + s.count(), NOT_SAMPLED);
    }

    /** Delivers every group, scaled, and forgets them. */
    void deliver(Consumer<OffCpuSample> listener) {
        for (Group g : groups.values()) {
            if (g.unsampled != null && g.sampledNanos > 0 && g.sampledCount > 0) {
                scale(g, listener);
                continue;
            }
            g.sampled.forEach(listener);
            if (g.unsampled != null) {
                listener.accept(g.unsampled);
            }
        }
        groups.clear();
    }

    /** Each sampled stack's share of the group's exact total; the last one takes what rounding left. */
    private static void scale(Group g, Consumer<OffCpuSample> listener) {
        long nanosLeft = g.sampledNanos + g.unsampled.durationNanos();
        long countLeft = g.sampledCount + g.unsampled.count();
        double nanosFactor = (double) nanosLeft / g.sampledNanos;
        double countFactor = (double) countLeft / g.sampledCount;
        int last = g.sampled.size() - 1;
        for (int i = 0; i <= last; i++) {
            OffCpuSample s = g.sampled.get(i);
            long nanos = i == last ? nanosLeft : Math.min(nanosLeft, Math.round(s.durationNanos() * nanosFactor));
            long count = i == last ? countLeft : Math.min(countLeft, Math.round(s.count() * countFactor));
            nanosLeft -= nanos;
            countLeft -= count;
            listener.accept(with(s, nanos, count, s.stack()));
        }
    }

    private static OffCpuSample with(OffCpuSample s, long nanos, long count, StackTrace stack) {
        return new OffCpuSample(s.thread(), s.startEpochNanos(), nanos, s.state(), s.syscall(), s.syscallName(), count,
                true, stack, s.waker());
    }
}
