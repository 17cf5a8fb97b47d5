package io.kfr.collectors.cpu;

import io.kfr.collectors.natives.DirectBuffers;
import io.kfr.collectors.natives.KfrNative;

import java.nio.ByteBuffer;
import java.util.function.IntSupplier;
import java.util.function.Predicate;

import static io.kfr.collectors.cpu.CpuRecords.SAMPLE_SIZE;
import static io.kfr.collectors.cpu.CpuRecords.S_TID;
import static io.kfr.collectors.cpu.CpuRecords.S_USTACK;

/** Real pcs of this JVM's compiled code, taken by the CPU sampler from a thread that runs it (for tests). */
public final class SampledPcs {
    private SampledPcs() {
    }

    /**
     * The first pc interrupted on thread {@code tid} whose names (KfrNative.javaNamesAtPc) match,
     * within {@code seconds}; 0 if none. The thread must be running meanwhile.
     */
    public static long first(IntSupplier tid, Predicate<String> names, int seconds) {
        int pid = (int) ProcessHandle.current().pid();
        long handle = KfrNative.cpuOpen(pid, 1_000_000L, 0, "cpu-clock", 1 << 20, false);
        if (handle == 0) {
            throw new IllegalStateException("cpuOpen: " + KfrNative.lastError());
        }
        ByteBuffer samples = DirectBuffers.take(SAMPLE_SIZE * 4096);
        try {
            long[] ips = new long[127];
            long end = System.nanoTime() + seconds * 1_000_000_000L;
            while (System.nanoTime() < end) {
                int n = KfrNative.collectorPoll(handle, samples, 100);
                for (int i = 0; i < n; i++) {
                    int at = i * SAMPLE_SIZE;
                    int ustack = samples.getInt(at + S_USTACK);
                    if (samples.getInt(at + S_TID) != tid.getAsInt() || ustack < 0
                            || KfrNative.collectorStack(handle, ustack, ips) < 1) {
                        continue;
                    }
                    String named = KfrNative.javaNamesAtPc(ips[0]);
                    if (named != null && names.test(named)) {
                        return ips[0];
                    }
                }
            }
            return 0;
        } finally {
            KfrNative.collectorClose(handle);
            DirectBuffers.give(samples);
        }
    }
}
