package io.kfr.collectors.cpu;

import io.kfr.collectors.Tids;
import io.kfr.collectors.natives.DirectBuffers;
import io.kfr.collectors.natives.KfrNative;
import io.kfr.collectors.natives.NativeLibrary;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static io.kfr.collectors.cpu.CpuRecords.*;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The user-space pc lookup (KfrNative.javaNamesAtPc) names real JIT pcs of this JVM: the pcs the
 * CPU sampler interrupted while a thread spins in a compiled method resolve to that method.
 */
class JitPcNamesTest {
    private static volatile boolean stop;
    private static volatile long sink;

    /** Compiled by the JIT after the warm-up; the spinning thread runs nothing else. */
    static long spinJitPcTarget(long x) {
        for (int i = 0; i < 1000; i++) {
            x = x * 6364136223846793005L + 1442695040888963407L;
            x ^= x >>> 17;
        }
        return x;
    }

    @Test
    void interruptedPcsOfACompiledMethodNameIt() throws Exception {
        assertNull(NativeLibrary.load());
        for (int i = 0; i < 100_000; i++) {
            sink = spinJitPcTarget(i);
        }
        AtomicInteger tid = new AtomicInteger();
        Thread spinner = new Thread(() -> {
            tid.set(Tids.current());
            long x = 0;
            while (!stop) {
                x = spinJitPcTarget(x);
            }
            sink = x;
        }, "jit-pc-spinner");
        spinner.start();
        int pid = (int) ProcessHandle.current().pid();
        long handle = KfrNative.cpuOpen(pid, 1_000_000L, 0, "cpu-clock", 1 << 20, false);
        assertTrue(handle != 0, () -> "cpuOpen: " + KfrNative.lastError());
        List<String> named = new ArrayList<>();
        int unnamed = 0;
        try {
            ByteBuffer samples = DirectBuffers.take(SAMPLE_SIZE * 4096);
            long[] ips = new long[127];
            long end = System.nanoTime() + 3_000_000_000L;
            while (System.nanoTime() < end && named.size() < 200) {
                int n = KfrNative.collectorPoll(handle, samples, 100);
                for (int i = 0; i < n; i++) {
                    int at = i * SAMPLE_SIZE;
                    int ustack = samples.getInt(at + S_USTACK);
                    if (samples.getInt(at + S_TID) != tid.get() || ustack < 0
                            || KfrNative.collectorStack(handle, ustack, ips) < 1) {
                        continue;
                    }
                    String names = KfrNative.javaNamesAtPc(ips[0]); // the interrupted pc
                    if (names == null || names.startsWith("!")) { // not in an nmethod, or no debug info there
                        unnamed++;
                    } else {
                        named.add(names);
                    }
                }
            }
        } finally {
            stop = true;
            KfrNative.collectorClose(handle);
            spinner.join();
        }
        assertFalse(named.isEmpty(), "no sampled pc of the spinning thread was named (" + unnamed + " were not)");
        long inTarget = named.stream().filter(s -> s.contains("\tspinJitPcTarget\t")).count();
        // the loop around the call (the lambda) may hold a few pcs; the method itself holds nearly all
        assertTrue(inTarget * 2 > named.size(), inTarget + " of " + named.size() + " named pcs in spinJitPcTarget: " + named);
        assertTrue(named.stream().allMatch(s -> s.contains("JitPcNamesTest")), "all in this class: " + named);
        assertNull(KfrNative.javaNamesAtPc(1), "a pc outside the code cache");
    }
}
