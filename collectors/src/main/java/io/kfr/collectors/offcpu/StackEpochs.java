package io.kfr.collectors.offcpu;

import static io.kfr.collectors.offcpu.OffCpuRecords.STACK_EPOCH_MASK;
import static io.kfr.collectors.offcpu.OffCpuRecords.STACK_EPOCH_SHIFT;
import static io.kfr.collectors.offcpu.OffCpuRecords.WAKER_STACK_ID_BIT;

/**
 * When the off-CPU collector starts a new stack epoch ({@code KfrNative.offcpuNextStackEpoch}). A
 * kernel stack map never forgets: a server's user stacks through JIT code are new all the time, its
 * buckets fill within minutes of load, and from then on nearly every new stack collides and is
 * lost. A new epoch clears the map of the epoch before last and writes there. Its price: every
 * thread's cached stacks are walked once more, and an interval whose stacks were taken two epochs
 * before it ended (a thread off the CPU across two changes) loses its kernel and native frames
 * (counted as stacksExpired). So: at most once a minute, and only when the map shows that it
 * fills: collisions since the last check at 0.5% of the stack walks or more. Checked every 10 s.
 * For tests, KFR_OFFCPU_STACK_EPOCH_MS in the JVM's environment starts one every that many ms.
 */
final class StackEpochs {
    private static final long CHECK_NANOS = 10_000_000_000L;
    private static final long MIN_NANOS = 60_000_000_000L;
    private static final double COLLISION_SHARE = 0.005;

    private final long forcedNanos;
    private long nextCheck;
    private long lastEpochAt;
    private long walksAtCheck;
    private long collisionsAtCheck;
    private int epoch;
    private long epochs;

    StackEpochs(long nowNanos) {
        forcedNanos = forcedMillis() * 1_000_000L;
        nextCheck = nowNanos + (forcedNanos > 0 ? forcedNanos : CHECK_NANOS);
        lastEpochAt = nowNanos;
    }

    /** Whether the counters should be looked at now. */
    boolean checkDue(long nowNanos) {
        return nowNanos - nextCheck >= 0;
    }

    /** Whether a new epoch is due, given the cumulative stack walks and collisions. */
    boolean due(long nowNanos, long walks, long collisions) {
        long w = walks - walksAtCheck;
        long c = collisions - collisionsAtCheck;
        walksAtCheck = walks;
        collisionsAtCheck = collisions;
        nextCheck = nowNanos + (forcedNanos > 0 ? forcedNanos : CHECK_NANOS);
        if (forcedNanos > 0) {
            return true;
        }
        return nowNanos - lastEpochAt >= MIN_NANOS && c > 0 && c >= COLLISION_SHARE * w;
    }

    /** The kernel moved on to the next epoch. */
    void started(long nowNanos) {
        epoch++;
        epochs++;
        lastEpochAt = nowNanos;
    }

    /** Whether a switch-out stack id can still be read (its epoch is the current or the previous one). */
    boolean readable(int stackId) {
        if (stackId < 0 || (stackId & WAKER_STACK_ID_BIT) != 0) {
            return true;
        }
        int e = (stackId >>> STACK_EPOCH_SHIFT) & STACK_EPOCH_MASK;
        return e == (epoch & STACK_EPOCH_MASK) || e == ((epoch - 1) & STACK_EPOCH_MASK);
    }

    long epochs() {
        return epochs;
    }

    private static long forcedMillis() {
        String v = System.getenv("KFR_OFFCPU_STACK_EPOCH_MS");
        if (v == null) {
            return 0;
        }
        try {
            return Math.max(0, Long.parseLong(v.trim()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
