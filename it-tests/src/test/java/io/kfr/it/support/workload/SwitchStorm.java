package io.kfr.it.support.workload;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A context-switch storm: pairs of threads hand a token back and forth with park/unpark, so every
 * hand-off is a sleep and a wake-up. Prints "STORM-READY" after warm-up starts, then after the
 * measured window "STORM <hand-offs per second> <context switches per second>".
 * Usage: SwitchStorm <pairs> <warmupSeconds> <measureSeconds> [workPerHandoff]
 * (workPerHandoff: iterations of a small computation each thread does before handing the token
 * back, to set the switch rate; default 0).
 */
public final class SwitchStorm {
    private SwitchStorm() {
    }

    public static void main(String[] args) throws Exception {
        int pairs = Integer.parseInt(args[0]);
        long warmup = Long.parseLong(args[1]) * 1_000_000_000L;
        long measure = Long.parseLong(args[2]) * 1_000_000_000L;
        int work = args.length > 3 ? Integer.parseInt(args[3]) : 0;
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong handoffs = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            Pair pair = new Pair(running, handoffs, work);
            threads.add(pair.ping);
            threads.add(pair.pong);
        }
        threads.forEach(Thread::start);
        System.out.println("STORM-READY " + ProcessHandle.current().pid());
        Thread.sleep(warmup / 1_000_000L);
        long c0 = handoffs.get();
        long s0 = contextSwitches();
        long t0 = System.nanoTime();
        Thread.sleep(measure / 1_000_000L);
        long c1 = handoffs.get();
        long s1 = contextSwitches();
        long t1 = System.nanoTime();
        running.set(false);
        threads.forEach(LockSupport::unpark);
        for (Thread t : threads) {
            t.join(1000);
            LockSupport.unpark(t);
        }
        System.out.printf("STORM %.0f %.0f%n", (c1 - c0) * 1e9 / (t1 - t0), (s1 - s0) * 1e9 / (t1 - t0));
    }

    /** Voluntary and involuntary context switches of all this process's threads, from /proc. */
    static long contextSwitches() throws java.io.IOException {
        long sum = 0;
        try (var tasks = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/task"))) {
            for (java.nio.file.Path task : (Iterable<java.nio.file.Path>) tasks::iterator) {
                try {
                    for (String line : java.nio.file.Files.readAllLines(task.resolve("status"))) {
                        if (line.startsWith("voluntary_ctxt_switches:") || line.startsWith("nonvoluntary_ctxt_switches:")) {
                            sum += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                        }
                    }
                } catch (java.io.IOException gone) {
                    // the thread ended meanwhile
                }
            }
        }
        return sum;
    }

    private static final class Pair {
        final Thread ping;
        final Thread pong;
        volatile int turn;

        private final int work;
        /** Keeps the work from being optimized away. */
        volatile long sink;

        Pair(AtomicBoolean running, AtomicLong handoffs, int work) {
            this.work = work;
            Thread[] self = new Thread[2];
            ping = new Thread(() -> loop(0, self, running, handoffs), "storm-ping");
            pong = new Thread(() -> loop(1, self, running, handoffs), "storm-pong");
            self[0] = ping;
            self[1] = pong;
        }

        private void loop(int me, Thread[] self, AtomicBoolean running, AtomicLong handoffs) {
            Thread other = self[1 - me];
            long local = 0;
            while (running.get()) {
                while (turn != me && running.get()) {
                    LockSupport.park(this);
                }
                long x = local;
                for (int i = 0; i < work; i++) {
                    x = x * 6364136223846793005L + 1442695040888963407L;
                }
                sink = x;
                turn = 1 - me;
                LockSupport.unpark(other);
                if (++local == 1024) {
                    handoffs.addAndGet(local);
                    local = 0;
                }
            }
        }
    }
}
