package io.kfr.it.support.workload;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small service-like JVM with one known answer per thread, for the JMC rules:
 * rules-fsync spends its time in fsync (state D) from {@link #flushToDisk}; rules-lock-waiter
 * blocks entering a monitor held by rules-lock-holder, in {@link #enterLock}; rules-sleeper sleeps
 * in {@link #pollSlowly}; two idle pool threads (rules-idle-pool-N) wait for work that never
 * comes; rules-burner runs Java code in {@link #burn}; rules-allocator keeps the GC busy.
 * Usage: RulesWorkload seconds. Prints "RULES-WORKLOAD-DONE".
 */
public final class RulesWorkload {
    private static final Object LOCK = new Object();
    static volatile boolean running = true;
    static volatile long sink;
    static volatile Object keep;

    private RulesWorkload() {
    }

    public static void main(String[] args) throws Exception {
        long millis = (long) (Double.parseDouble(args[0]) * 1000);
        AtomicInteger poolNumber = new AtomicInteger();
        ExecutorService idlePool = Executors.newFixedThreadPool(2,
                r -> new Thread(r, "rules-idle-pool-" + poolNumber.incrementAndGet()));
        idlePool.submit(() -> { });
        idlePool.submit(() -> { });
        List<Thread> threads = new ArrayList<>();
        threads.add(start("rules-fsync", RulesWorkload::flushToDisk));
        threads.add(start("rules-lock-holder", RulesWorkload::holdLock));
        threads.add(start("rules-lock-waiter", RulesWorkload::enterLock));
        threads.add(start("rules-sleeper", RulesWorkload::pollSlowly));
        threads.add(start("rules-burner", RulesWorkload::burn));
        threads.add(start("rules-allocator", RulesWorkload::allocate));
        Thread.sleep(millis);
        running = false;
        for (Thread t : threads) {
            t.join();
        }
        idlePool.shutdown();
        System.out.println("RULES-WORKLOAD-DONE");
    }

    private static Thread start(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.start();
        return t;
    }

    /** Small writes, each forced to disk: the thread waits in state D. */
    static void flushToDisk() {
        try {
            Path file = Files.createTempFile(Path.of(System.getProperty("kfr.rules.dir", "/var/tmp")), "kfr-rules", ".dat");
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                ByteBuffer block = ByteBuffer.allocate(64 * 1024);
                while (running) {
                    block.clear();
                    ch.write(block, 0);
                    ch.force(true);
                }
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }

    /**
     * Holds the monitor 20 ms at a time (asleep: the test machine's CPUs stay free for the
     * others), with short gaps in which the waiter gets it once.
     */
    static void holdLock() {
        while (running) {
            synchronized (LOCK) {
                sleep(20);
            }
            spin(1_000_000L);
        }
    }

    /** Enters the monitor again and again: most of its time is spent blocked entering it. */
    static void enterLock() {
        while (running) {
            synchronized (LOCK) {
                sink++;
            }
            spin(200_000L);
        }
    }

    static void pollSlowly() {
        while (running) {
            sleep(100);
        }
    }

    static void burn() {
        long x = 0;
        while (running) {
            for (int i = 0; i < 1_000_000; i++) {
                x += i * 31L ^ (x >>> 3);
            }
            sink = x;
        }
    }

    /** Short-lived arrays and a retained window of them: young collections all the time. */
    static void allocate() {
        Object[] window = new Object[4096];
        int i = 0;
        while (running) {
            window[i++ & 4095] = new byte[1024 + (i & 1023)];
            if ((i & 0x3FFF) == 0) {
                keep = window.clone();
                sleep(20); // about half a CPU: GC work without starving the other threads
            }
        }
    }

    private static void spin(long nanos) {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
