package io.kfr.collectors.natives;

import java.nio.ByteBuffer;

/**
 * One open libkfr collector (a handle from {@link KfrNative#offcpuOpen} or {@link KfrNative#cpuOpen}):
 * the calls every collector makes the same way, with the same errors. What is specific to one
 * collector (its open, the off-CPU aggregation maps) stays with that collector.
 */
public final class CollectorHandle {
    private final long handle;
    private final String name;

    /** {@code name} as the collector's statistics and errors name it ("offcpu", "cpu"). */
    public CollectorHandle(long handle, String name) {
        this.handle = handle;
        this.name = name;
    }

    /** The raw handle, for the collector's own kind-specific calls. */
    public long raw() {
        return handle;
    }

    /** The kernel and user stack {@code id} into {@code ips}; how many frames (negative errno on error). */
    public int stack(int id, long[] ips) {
        return KfrNative.collectorStack(handle, id, ips);
    }

    /** Starts a new stack epoch ({@link KfrNative#collectorNextStackEpoch}); stacks cleared, or negative errno. */
    public int nextStackEpoch() {
        return KfrNative.collectorNextStackEpoch(handle);
    }

    /** Whole records into {@code into} from position 0, waiting up to {@code timeoutMillis}; how many. */
    public int poll(ByteBuffer into, int timeoutMillis) {
        int n = KfrNative.collectorPoll(handle, into, timeoutMillis);
        if (n < 0) {
            throw new IllegalStateException(name + " poll: " + KfrNative.lastError());
        }
        return n;
    }

    /** The collector's counters (its record header's order), then its programs' run count, run time, recursion misses. */
    public void statistics(long[] into) {
        int n = KfrNative.collectorStats(handle, into);
        if (n < 0) {
            throw new IllegalStateException(name + " statistics: " + KfrNative.lastError());
        }
    }

    /** Detaches the programs: from then on the counters are final and only what is in the kernel remains. */
    public void detach() {
        if (KfrNative.collectorDetach(handle) != 0) {
            throw new IllegalStateException(name + " detach: " + KfrNative.lastError());
        }
    }

    /** Ends a waiting {@link #poll} at once; from any thread. */
    public void wake() {
        KfrNative.collectorWake(handle);
    }

    /** Releases the kernel side; the handle is invalid afterwards. */
    public void close() {
        KfrNative.collectorClose(handle);
    }
}
