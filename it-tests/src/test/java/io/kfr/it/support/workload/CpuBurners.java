package io.kfr.it.support.workload;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.Deflater;

/**
 * CPU ground truth: threads that burn CPU in known places for the given seconds.
 * burn-direct loops in {@link #burnDirect}; burn-inlined spends its time in {@link #tiny}, a small
 * method the JIT inlines into {@link #burnInlined}; zlib compresses with java.util.zip.Deflater
 * (native zlib under Deflater.deflateBytesBytes); clock reads System.nanoTime in a loop (compiled
 * code calls into libjvm and the vDSO without a Java frame anchor); allocator keeps the garbage
 * collector busy.
 * With a second argument "noalloc" the allocator does not run (steady shares for comparisons).
 * Prints "CPU-BURNERS-DONE".
 */
public final class CpuBurners {
    static volatile long sink;
    static volatile boolean running = true;

    public static void main(String[] args) throws Exception {
        long millis = (long) (Double.parseDouble(args[0]) * 1000);
        List<Thread> threads = new ArrayList<>();
        threads.add(start("burn-direct", CpuBurners::burnDirect));
        threads.add(start("burn-inlined", CpuBurners::burnInlined));
        threads.add(start("zlib", CpuBurners::deflate));
        threads.add(start("clock", CpuBurners::burnClock));
        if (args.length < 2 || !args[1].equals("noalloc")) {
            threads.add(start("allocator", CpuBurners::allocate));
        }
        Thread.sleep(millis);
        running = false;
        for (Thread t : threads) {
            t.join();
        }
        System.out.println("CPU-BURNERS-DONE");
    }

    private static Thread start(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.start();
        return t;
    }

    static void burnDirect() {
        long x = 0;
        while (running) {
            for (int i = 0; i < 1_000_000; i++) {
                x += i * 31L ^ (x >>> 3);
            }
            sink = x;
        }
    }

    static void burnInlined() {
        long x = 0;
        while (running) {
            for (int i = 0; i < 1_000_000; i++) {
                x = tiny(x, i);
            }
            sink = x;
        }
    }

    /**
     * Small enough for C2 to inline into burnInlined's loop, and most of the loop's work, so that
     * nearly all of burn-inlined's CPU time is spent in it.
     */
    static long tiny(long x, int i) {
        x = x * 0x9E3779B97F4A7C15L + i ^ (x >>> 7);
        x = x * 0xC2B2AE3D27D4EB4FL ^ (x >>> 29);
        x = x * 0x165667B19E3779F9L ^ (x >>> 17);
        return x * 0x27D4EB2F165667C5L ^ (x >>> 31);
    }

    static void burnClock() {
        long x = 0;
        while (running) {
            x += System.nanoTime();
            sink = x;
        }
    }

    static void deflate() {
        byte[] in = new byte[1 << 20];
        new Random(7).nextBytes(in);
        for (int i = 0; i < in.length; i += 2) {
            in[i] = (byte) (i & 7); // compressible, so zlib does real matching work
        }
        byte[] out = new byte[1 << 21];
        while (running) {
            Deflater d = new Deflater(9);
            d.setInput(in);
            d.finish();
            while (!d.finished()) {
                d.deflate(out);
            }
            d.end();
        }
    }

    static void allocate() {
        List<long[]> keep = new ArrayList<>();
        Random r = new Random(3);
        while (running) {
            keep.add(new long[64 + r.nextInt(4096)]);
            if (keep.size() > 20_000) {
                keep.subList(0, 10_000).clear(); // old objects die, young ones survive a while: GC work
            }
        }
        sink = keep.size();
    }

    private CpuBurners() {
    }
}
