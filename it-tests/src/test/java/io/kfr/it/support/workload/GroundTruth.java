package io.kfr.it.support.workload;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * Workloads with a known off-CPU answer. Each scenario thread blocks in one way only and measures
 * itself: its window runs from the first blocking call to the end of the last one, and the thread's
 * off-CPU time in that window is wall time minus the thread's CPU time (whatever made it wait,
 * measured or not). The thread is on-CPU at both edges, so no off-CPU interval straddles them.
 * After all threads ended, main prints for each
 * {@code KFR-TRUTH <scenario> <tid> <offCpuNanos> <windowStartEpochNanos> <windowEndEpochNanos> <calls> <thread name>}.
 * Usage: GroundTruth sleep park monitor fsync handoff
 */
public final class GroundTruth {
    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();
    private static final Object MONITOR = new Object();

    private GroundTruth() {
    }

    private static final List<String> RESULTS = new java.util.concurrent.CopyOnWriteArrayList<>();
    private static final long MONO_TO_EPOCH = MonoClock.monoToEpoch();

    public static void main(String[] args) throws Exception {
        List<Thread> threads = new ArrayList<>();
        for (String scenario : args) {
            switch (scenario) {
                case "sleep":
                    threads.add(scenario(scenario, "truth-sleeper", m -> {
                    for (int i = 0; i < 25; i++) {
                        m.begin();
                        Thread.sleep(40);
                        m.end();
                    }
                }));
                    break;
                case "park":
                    threads.add(scenario(scenario, "truth-parker", m -> {
                    for (int i = 0; i < 30; i++) {
                        m.begin();
                        LockSupport.parkNanos(30_000_000L);
                        m.end();
                    }
                }));
                    break;
                case "monitor": {
                    // Rounds: the holder takes the monitor and keeps it 30 ms; the waiter, once it
                    // sees the monitor held, blocks entering it; then the next round.
                    int rounds = 15;
                    java.util.concurrent.atomic.AtomicInteger held = new java.util.concurrent.atomic.AtomicInteger(-1);
                    java.util.concurrent.atomic.AtomicInteger entered = new java.util.concurrent.atomic.AtomicInteger(0);
                    threads.add(new Thread(() -> {
                        for (int i = 0; i < rounds; i++) {
                            synchronized (MONITOR) {
                                held.set(i);
                                spin(30_000_000L);
                            }
                            while (entered.get() <= i) {
                                Thread.yield();
                            }
                        }
                    }, "truth-monitor-holder"));
                    threads.add(scenario(scenario, "truth-monitor-waiter", m -> {
                        for (int i = 0; i < rounds; i++) {
                            while (held.get() < i) {
                                Thread.yield();
                            }
                            m.begin();
                            synchronized (MONITOR) {
                                m.end();
                                entered.set(i + 1);
                            }
                        }
                    }));
                    break;
                }
                case "fsync":
                    threads.add(scenario(scenario, "truth-fsync", m -> {
                    Path file = Files.createTempFile(Path.of(System.getProperty("kfr.truth.dir", "/var/tmp")), "kfr-truth", ".dat");
                    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                        ByteBuffer block = ByteBuffer.allocate(256 * 1024);
                        for (int i = 0; i < 40; i++) {
                            block.clear();
                            m.begin();
                            ch.write(block);
                            ch.force(true);
                            m.end();
                        }
                    } finally {
                        Files.deleteIfExists(file);
                    }
                }));
                    break;
                case "handoff": {
                    // Short waits only (tens of microseconds): below the off-CPU threshold, so kfr
                    // aggregates them in the kernel. The pong side works 20 us before handing the
                    // token back, so the ping side really blocks each round.
                    Thread[] pair = new Thread[2];
                    java.util.concurrent.atomic.AtomicInteger turn = new java.util.concurrent.atomic.AtomicInteger();
                    int rounds = 10_000;
                    pair[0] = scenario(scenario, "truth-handoff-ping", m -> {
                        m.begin();
                        for (int i = 0; i < rounds; i++) {
                            turn.set(1);
                            LockSupport.unpark(pair[1]);
                            while (turn.get() != 0) {
                                LockSupport.park();
                            }
                        }
                        m.end();
                    });
                    pair[1] = new Thread(() -> {
                        for (int i = 0; i < rounds; i++) {
                            while (turn.get() != 1) {
                                LockSupport.park();
                            }
                            spin(20_000L);
                            turn.set(0);
                            LockSupport.unpark(pair[0]);
                        }
                    }, "truth-handoff-pong");
                    threads.add(pair[0]);
                    threads.add(pair[1]);
                    break;
                }
                default:
                    throw new IllegalArgumentException("unknown scenario " + scenario);
            }
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        RESULTS.forEach(System.out::println);
        System.out.println("KFR-TRUTH-DONE");
    }

    /** The blocking body of a scenario; it brackets each blocking call with begin()/end(). */
    interface Body {
        void run(Meter m) throws Exception;
    }

    /** The window from the first begin() to the last end(), in wall and CPU time. */
    static final class Meter {
        long calls;
        long windowStart = -1;
        long cpuStart;
        long windowEnd;
        long cpuEnd;

        void begin() {
            if (windowStart < 0) {
                cpuStart = CPU.getCurrentThreadCpuTime();
                windowStart = System.nanoTime();
            }
        }

        void end() {
            windowEnd = System.nanoTime();
            cpuEnd = CPU.getCurrentThreadCpuTime();
            calls++;
        }

        long offCpu() {
            return (windowEnd - windowStart) - (cpuEnd - cpuStart);
        }
    }

    private static Thread scenario(String scenario, String name, Body body) {
        return new Thread(() -> {
            Meter m = new Meter();
            try {
                body.run(m);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
            RESULTS.add(String.format("KFR-TRUTH %s %d %d %d %d %d %s", scenario, tid(), m.offCpu(),
                    m.windowStart + MONO_TO_EPOCH, m.windowEnd + MONO_TO_EPOCH, m.calls, name));
        }, name);
    }

    static int tid() {
        try {
            String link = Files.readSymbolicLink(Path.of("/proc/thread-self")).toString();
            return Integer.parseInt(link.substring(link.lastIndexOf('/') + 1));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void spin(long nanos) {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }
}
