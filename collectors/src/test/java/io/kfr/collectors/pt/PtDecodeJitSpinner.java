package io.kfr.collectors.pt;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The JIT code the PT proofs trace: ptHot's loop with ptStep inlined into it, which makes a
 * megamorphic call, run until C2 compiled it, then spun in one thread. As a main class (a child JVM) it prints "tid <n>" once warm.
 */
final class PtDecodeJitSpinner {
    static volatile long sink;
    static volatile boolean stop;

    private PtDecodeJitSpinner() {
    }

    /** Four receivers: the call in ptStep is megamorphic, a real call C2 does not inline. */
    interface Op {
        int apply(int v, int i);
    }

    static final Op[] OPS = {(v, i) -> v + i, (v, i) -> v ^ i, (v, i) -> v * 3 - i, (v, i) -> (v >>> 1) + i};

    static int ptHot(int[] a, int n) {
        int s = 0;
        for (int i = 0; i < n; i++) {
            s += ptStep(OPS[i & 3], a[i & 63], i);
        }
        return s;
    }

    /** Inlined into ptHot; its call site gives the nmethod a pc described in ptStep's scope. */
    static int ptStep(Op op, int v, int i) {
        return (v & 1) == 0 ? op.apply(v, i) : v * 5 + i;
    }

    static int[] data() {
        int[] a = new int[64];
        for (int i = 0; i < a.length; i++) {
            a[i] = i * 7 + (i >> 2);
        }
        return a;
    }

    /**
     * Runs ptHot until C2 (tier 4) compiled it and the JIT went quiet (no compilation for 300 ms):
     * a later compilation of the lambdas would patch the entries of their older code, and the
     * proofs copy the code after the trace was taken.
     */
    static void warm(int[] a) {
        java.lang.management.CompilationMXBean jit = java.lang.management.ManagementFactory.getCompilationMXBean();
        long until = System.nanoTime() + 20_000_000_000L;
        long quietSince = System.nanoTime();
        long compiled = jit.getTotalCompilationTime();
        for (int i = 0; System.nanoTime() < until; i++) {
            sink += ptHot(a, 1000);
            if ((i & 255) == 0) {
                long now = jit.getTotalCompilationTime();
                if (now != compiled) {
                    compiled = now;
                    quietSince = System.nanoTime();
                } else if (i >= 30_000 && System.nanoTime() - quietSince > 300_000_000L) {
                    return;
                }
            }
        }
    }

    static void spin(int[] a) {
        while (!stop) {
            sink += ptHot(a, 1000);
        }
    }

    /** This thread's Linux tid. */
    static int tid() throws IOException {
        return Integer.parseInt(Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString());
    }

    public static void main(String[] args) throws IOException {
        int[] a = data();
        warm(a);
        System.out.println("tid " + tid());
        System.out.flush();
        spin(a);
    }
}
