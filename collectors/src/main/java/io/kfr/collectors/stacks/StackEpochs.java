package io.kfr.collectors.stacks;

import io.kfr.collectors.natives.CollectorHandle;

/**
 * When a collector starts a new stack epoch (native common/stack_epochs.h). A kernel stack map
 * never forgets: a server's user stacks through JIT code are new all the time, its buckets fill
 * within minutes of load, and from then on nearly every new stack collides and is lost. A new
 * epoch clears the map of the epoch before last and writes there. Its price: the off-CPU
 * collector's per-thread stack caches walk once more, and the stacks of intervals still running
 * that the epoch expires must be read first and carried (StackResolver.carry; what cannot be is
 * shown expired, counted as stacksExpired). So: only when the map shows that it fills, checked every
 * 10 s: collisions since the last check at 0.5% of the stack walks or more, at most once a minute;
 * or at 2% or more, at most every 10 s (Jetty under wrk: 9% of its stacks lost in its first
 * minute while the map filled, 0.01% after its first epoch). For tests, KFR_STACK_EPOCH_MS in the JVM's environment starts one every that many
 * ms. Only the collector thread calls this.
 */
public final class StackEpochs {
    /** Stack id bits (KFR_STACK_EPOCH_SHIFT, KFR_STACK_EPOCH_MASK, KFR_STACK_BUCKET_MASK). */
    public static final int EPOCH_SHIFT = 14;
    public static final int EPOCH_MASK = 0xffff;
    public static final int BUCKET_MASK = (1 << EPOCH_SHIFT) - 1;
    private static final long CHECK_NANOS = 10_000_000_000L;
    private static final long MIN_NANOS = 60_000_000_000L;
    private static final double COLLISION_SHARE = 0.005;
    private static final long URGENT_MIN_NANOS = 10_000_000_000L;
    private static final double URGENT_COLLISION_SHARE = 0.02;

    private final long forcedNanos;
    private long nextCheck;
    private long lastEpochAt;
    private long walksAtCheck;
    private long collisionsAtCheck;
    private int epoch;
    private long epochs;

    public StackEpochs(long nowNanos) {
        forcedNanos = forcedMillis() * 1_000_000L;
        nextCheck = nowNanos + (forcedNanos > 0 ? forcedNanos : CHECK_NANOS);
        lastEpochAt = nowNanos;
    }

    /**
     * A collector's period work: when a check is due, reads the collector's counters into stats
     * (stack walks and collisions at the given indexes) and, when an epoch is due, reads what the
     * collector's ring holds now (readRing: its ids are all readable until the epoch starts), starts
     * the epoch in the kernel and forgets the resolved stacks whose ids expire with it.
     */
    public void period(CollectorHandle handle, long[] stats, int walksIndex, int collisionsIndex, Runnable readRing,
                       StackResolver stacks) {
        period(handle, stats, walksIndex, collisionsIndex, readRing, stacks, null);
    }

    /**
     * As above, for a collector whose stacks can belong to intervals still running (the off-CPU
     * collector: a thread off the CPU since before the epoch change): {@code pendingStackIds} gives
     * their stack ids, and the stacks of those that expire with the epoch are read before it
     * starts and carried ({@link StackResolver#carry}).
     */
    public void period(CollectorHandle handle, long[] stats, int walksIndex, int collisionsIndex, Runnable readRing,
                       StackResolver stacks, PendingStacks pendingStackIds) {
        long now = System.nanoTime();
        if (now - nextCheck < 0) {
            return;
        }
        handle.statistics(stats);
        if (due(now, stats[walksIndex], stats[collisionsIndex])) {
            // running intervals first: one that ends meanwhile is in what the ring read delivers
            if (pendingStackIds != null) {
                stacks.carry(pendingStackIds.ids(), id -> !readableAfterNext(id));
            }
            readRing.run();
            advance(now, handle, stacks);
        }
    }

    /** Whether a new epoch is due, given the cumulative stack walks and collisions. */
    private boolean due(long nowNanos, long walks, long collisions) {
        long w = walks - walksAtCheck;
        long c = collisions - collisionsAtCheck;
        walksAtCheck = walks;
        collisionsAtCheck = collisions;
        nextCheck = nowNanos + (forcedNanos > 0 ? forcedNanos : CHECK_NANOS);
        if (forcedNanos > 0) {
            return true;
        }
        long since = nowNanos - lastEpochAt;
        return c > 0 && (since >= MIN_NANOS && c >= COLLISION_SHARE * w
                || since >= URGENT_MIN_NANOS && c >= URGENT_COLLISION_SHARE * w);
    }

    private void advance(long nowNanos, CollectorHandle handle, StackResolver stacks) {
        if (handle.nextStackEpoch() < 0) {
            return; // the handle is closing: no further period comes
        }
        epoch++;
        epochs++;
        lastEpochAt = nowNanos;
        stacks.forget(id -> !readable(id));
    }

    /** The stack ids of intervals still running; {@code null} or empty when none is known. */
    @FunctionalInterface
    public interface PendingStacks {
        int[] ids();
    }

    /** Whether a stack id can still be read (its epoch is the current or the previous one). */
    boolean readable(int stackId) {
        return readableIn(stackId, epoch);
    }

    /** Whether a stack id can still be read once the next epoch has started. */
    private boolean readableAfterNext(int stackId) {
        return readableIn(stackId, epoch + 1);
    }

    private static boolean readableIn(int stackId, int current) {
        if (stackId < 0 || (stackId & ~((EPOCH_MASK << EPOCH_SHIFT) | BUCKET_MASK)) != 0) {
            return true; // not a stack id in epochs (e.g. a waker's, marked by a higher bit)
        }
        int e = (stackId >>> EPOCH_SHIFT) & EPOCH_MASK;
        return e == (current & EPOCH_MASK) || e == ((current - 1) & EPOCH_MASK);
    }

    public long epochs() {
        return epochs;
    }

    private static long forcedMillis() {
        String v = System.getenv("KFR_STACK_EPOCH_MS");
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
