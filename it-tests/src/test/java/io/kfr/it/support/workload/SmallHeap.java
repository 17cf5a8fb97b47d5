package io.kfr.it.support.workload;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * An application that keeps most of a small heap live: holds {@code liveMb} MB in 64 kB arrays,
 * lets 8 threads sleep and park (so the off-CPU collector has work), churns garbage, and reports
 * the heap used after a full GC at the end ({@code HEAP-AFTER-GC <bytes>}): what kfr adds to the
 * application's heap shows there.
 * With a third argument {@code fill}, after 1 s the main thread fills the rest of the heap until
 * OutOfMemoryError, holds it full for 1.5 s while the threads go on sleeping (every other thread,
 * kfr's included, then fails to allocate), releases it and prints {@code FILL-RELEASED}: the
 * application survives its own OutOfMemoryError, and so must the JVM with kfr.
 * With {@code hold} instead, it waits 6 s after {@code WORKLOAD-DONE} (kfr still recording), for
 * {@code jcmd <pid> GC.class_histogram}: the live heap, without the allocation buffers (TLABs) of
 * threads still running that {@code HEAP-AFTER-GC} includes.
 * Args: liveMb seconds [fill|hold].
 */
public final class SmallHeap {
    private SmallHeap() {
    }

    public static void main(String[] args) throws Exception {
        int liveMb = Integer.parseInt(args[0]);
        double seconds = Double.parseDouble(args[1]);
        List<byte[]> live = new ArrayList<>();
        for (int i = 0; i < liveMb * 16; i++) {
            live.add(new byte[64 * 1024 - 16]);
        }
        List<Thread> threads = new ArrayList<>();
        long end = System.nanoTime() + (long) (seconds * 1e9);
        for (int t = 0; t < 8; t++) {
            int id = t;
            Thread th = new Thread(() -> {
                while (System.nanoTime() < end) {
                    if (id % 2 == 0) {
                        try {
                            Thread.sleep(2);
                        } catch (InterruptedException e) {
                            return;
                        }
                    } else {
                        LockSupport.parkNanos(2_000_000);
                    }
                    try {
                        byte[] garbage = new byte[512]; // some churn
                        garbage[id] = 1;
                    } catch (OutOfMemoryError e) {
                        // while main holds the heap full (fill): the application expects it
                    }
                }
            }, "small-heap-" + t);
            th.start();
            threads.add(th);
        }
        if (args.length > 2 && args[2].equals("fill")) {
            Thread.sleep(1000);
            fill();
            System.out.println("FILL-RELEASED");
        }
        for (Thread t : threads) {
            t.join();
        }
        System.out.println("HEAP-AFTER-GC " + heapAfterGc());
        System.out.println("LIVE " + live.size());
        System.out.println("WORKLOAD-DONE");
        if (args.length > 2 && args[2].equals("hold")) {
            System.out.flush();
            Thread.sleep(6000);
        }
    }

    /** Fills the heap to OutOfMemoryError, keeps it full for 1.5 s, lets it go. */
    private static void fill() throws InterruptedException {
        List<byte[]> all = new ArrayList<>();
        try {
            for (int size = 64 * 1024; size >= 16; ) {
                try {
                    all.add(new byte[size]);
                } catch (OutOfMemoryError e) {
                    size /= 2;
                }
            }
            Thread.sleep(1500);
        } finally {
            all.clear();
        }
    }

    /** Heap used after a few full GCs (the last reading is the settled one). */
    static long heapAfterGc() {
        long used = 0;
        for (int i = 0; i < 3; i++) {
            System.gc();
            used = 0;
            for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
                if (p.getType() == MemoryType.HEAP) {
                    used += p.getUsage().getUsed();
                }
            }
        }
        return used;
    }
}
