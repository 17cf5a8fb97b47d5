package io.kfr.collectors.offcpu;

import io.kfr.collectors.Frame;
import io.kfr.collectors.FrameType;
import io.kfr.collectors.OffCpuState;
import io.kfr.collectors.Tids;
import io.kfr.collectors.natives.DirectBuffers;
import io.kfr.collectors.natives.KfrNative;
import io.kfr.collectors.stacks.JavaStacks;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;

import static io.kfr.collectors.offcpu.OffCpuRecords.*;

/**
 * The start-up self-test of Java frames: before a collector records Java frames, kfr walks one of
 * its own threads blocked in a known chain of methods, first interpreted, then after a warm-up
 * (JIT compiled and inlined where the JVM compiled it in time), and compares each walked stack with
 * what the thread's own {@code Throwable.getStackTrace()} said at the call: every frame's class and
 * method, and the line of each interpreted caller. Any difference, or stacks mostly without Java
 * frames, turns Java frames off for the JVM's lifetime with one line naming what differed: a JVM
 * whose layout kfr reads but misunderstands (an update release or a JDK kfr has never seen) gets
 * stacks that end at the native frames instead of wrong names. Runs once per JVM (the first
 * collector that walks Java frames), before it opens, with a short-lived off-CPU program of its
 * own (not the collector's: its threshold may be far above the test's parks, and the test must
 * not take the collector's first records of other threads): 0.2-0.6 s for the chain plus loading
 * that program (0.3-2 s, the walker's verification, on a busy 2-CPU machine). A pass is remembered
 * per libjvm build and kfr build ({@link SelfTestVerdicts}): later JVMs of the same builds skip
 * the test, its program load and its JIT warm-up.
 */
public final class JavaFramesSelfTest {
    /** Test-only: makes one layout entry wrong first ({@link KfrNative#javaLayoutTestCorrupt}). */
    public static final String TEST_CORRUPT = "kfr.test.javaFrames.corrupt";
    /** Blocking calls: above the 1 ms threshold of the test's program, so each is an event of its own. */
    private static final long BLOCK_NANOS = 5_000_000L;
    private static final int BLOCKS_PER_PHASE = 3;
    private static final int WARM_UP_CALLS = 30_000;
    private static final long DEADLINE_NANOS = 5_000_000_000L;

    private static String verdict;
    /** Volatile: the statistics read it on the collectors' threads while a self-test may be running. */
    private static volatile String outcome = "not run";

    private JavaFramesSelfTest() {
    }

    /**
     * "" if Java frames passed the self-test (or there is nothing to test: the layout is not
     * supported, which javaFramesStatus says), else why they are off. Runs the test the first time.
     */
    public static synchronized String verdict(int pid) {
        return verdict(pid, true);
    }

    /**
     * As {@link #verdict(int)}; with {@code remembered} false the test runs even where a JVM of the
     * same builds passed it ({@link SelfTestVerdicts}): doctor shows this JVM's own result.
     */
    public static synchronized String verdict(int pid, boolean remembered) {
        if (verdict == null) {
            // the test-only knob must reach the walker: never a remembered verdict with it
            String key = System.getProperty(TEST_CORRUPT) == null ? SelfTestVerdicts.key() : null;
            String passed = remembered && key != null ? SelfTestVerdicts.passed(key) : null;
            if (passed != null) {
                verdict = "";
                outcome = passed.substring(0, passed.length() - 1)
                        + "; remembered: passed in an earlier JVM of the same libjvm and kfr builds)";
                return verdict;
            }
            try {
                verdict = run(pid);
            } catch (RuntimeException | Error e) {
                verdict = "the start-up self-test failed to run (" + e + ")";
            }
            if (!verdict.isEmpty()) {
                outcome = "failed: " + verdict;
            } else if (key != null && outcome.startsWith("passed (")) {
                SelfTestVerdicts.remember(key, outcome);
            }
        }
        return verdict;
    }

    /** The self-test's outcome for doctor and the statistics: "not run", "passed (...)", "failed: ...". */
    public static String outcome() {
        return outcome;
    }

    private static String run(int pid) {
        String corrupt = System.getProperty(TEST_CORRUPT);
        if (corrupt != null && KfrNative.javaLayoutTestCorrupt(corrupt) != 0) {
            return "the test-only knob " + TEST_CORRUPT + " names no layout entry it knows: " + corrupt;
        }
        long began = System.nanoTime();
        long handle = KfrNative.offcpuOpen(pid, 1_000_000L, 1 << 20, 1, true);
        if (handle == 0) {
            return ""; // the collector's own open reports this
        }
        ByteBuffer events = DirectBuffers.take(EVENT_SIZE * 1024);
        JavaStacks javaStacks = JavaStacks.acquire();
        Chain chain = new Chain();
        Thread thread = new Thread(chain, "kfr-selftest");
        thread.setDaemon(true);
        try {
            if (!KfrNative.javaFramesStatus().isEmpty()) {
                return ""; // not supported: the collector says why
            }
            long loaded = System.nanoTime();
            thread.start();
            long deadline = System.nanoTime() + DEADLINE_NANOS;
            List<Interval> intervals = new ArrayList<>();
            boolean done = false;
            while (!done && System.nanoTime() - deadline < 0) {
                done = !thread.isAlive(); // one more poll after it ended: its last interval
                int n = KfrNative.collectorPoll(handle, events, 50);
                javaStacks.read();
                for (int i = 0; i < n; i++) {
                    int at = i * EVENT_SIZE;
                    if (i32(events, at, EVENT_TID) == chain.tid
                            && OffCpuState.fromCode(i32(events, at, EVENT_STATE)) == OffCpuState.S) {
                        // Java frames only: naming native frames (ELF symbols) stays off the start-up path
                        long start = i64(events, at, EVENT_START_NS);
                        intervals.add(new Interval(start, start + i64(events, at, EVENT_DURATION_NS),
                                javaFrames(javaStacks.frames(i64(events, at, EVENT_JAVA_REF)))));
                    }
                }
            }
            if (thread.isAlive()) {
                return "the start-up self-test's thread did not finish within " + DEADLINE_NANOS / 1_000_000_000L + " s";
            }
            // Each blocking call's interval (the longest inside the call's window) against the JVM's
            // own stack trace at that call: its frames are the innermost frames, above them the
            // park's own (LockSupport, Unsafe) may be anything, the rest must be the same.
            int interpreted = 0;
            int compiled = 0;
            int compared = 0;
            int unwalked = 0;
            for (long[] call : chain.calls) {
                Interval in = null;
                for (Interval iv : intervals) {
                    if (iv.start >= call[0] && iv.end <= call[1] && (in == null || iv.end - iv.start > in.end - in.start)) {
                        in = iv;
                    }
                }
                if (in == null) {
                    continue; // not off-CPU long enough (a timer that fired at once): nothing to compare
                }
                if (in.java.isEmpty()) {
                    unwalked++; // unknown rather than wrong: judged below, by how often
                    continue;
                }
                StackTraceElement[] expected = chain.expected;
                int from = in.java.size() - (expected == null ? 0 : expected.length);
                String diff = from < 0 ? "it has " + in.java.size() + " Java frames, the JVM " + expected.length
                        : compare(in.java.subList(from, in.java.size()), expected);
                if (diff != null) {
                    return "the start-up self-test's stack differs from Thread.getStackTrace: " + diff;
                }
                compared++;
                for (Frame f : in.java.subList(from, in.java.size())) {
                    if (f.type() == FrameType.INTERPRETED) interpreted++;
                    if (f.type() == FrameType.JIT_COMPILED || f.type() == FrameType.INLINED) compiled++;
                }
            }
            if (unwalked > compared) {
                return "the start-up self-test's thread, blocked in Java code, was walked without Java frames "
                        + unwalked + " of " + (unwalked + compared) + " times";
            }
            if (compared < 2) {
                return "the start-up self-test compared " + compared + " of " + chain.calls.size()
                        + " blocking calls (no interval recorded for the others)";
            }
            synchronized (JavaFramesSelfTest.class) {
                outcome = "passed (" + compared + " stacks, " + interpreted + " interpreted and " + compiled
                        + " compiled frames equal to Thread.getStackTrace; " + (System.nanoTime() - began) / 1_000_000
                        + " ms, of which loading its program " + (loaded - began) / 1_000_000 + " ms)";
            }
            return "";
        } finally {
            chain.stop = true;
            KfrNative.collectorClose(handle);
            DirectBuffers.give(events);
            javaStacks.release();
        }
    }

    /** The Java frames the JVM shows (hidden ones, such as lambda forms, left out), innermost first. */
    private static List<Frame> javaFrames(List<Frame> frames) {
        List<Frame> java = new ArrayList<>();
        for (Frame f : frames) {
            if (f.type().isJava() && !f.hidden()) java.add(f);
        }
        return java;
    }

    /** One off-CPU interval of the test's thread (CLOCK_MONOTONIC) and its Java frames. */
    private static final class Interval {
        private final long start;
        private final long end;
        private final List<Frame> java;

        private Interval(long start, long end, List<Frame> java) {
            this.start = start;
            this.end = end;
            this.java = java;
        }

        public long start() {
            return start;
        }

        public long end() {
            return end;
        }

        public List<Frame> java() {
            return java;
        }

        @Override
        public boolean equals(Object other) {
            if (this == other) {
                return true;
            }
            if (!(other instanceof Interval)) {
                return false;
            }
            Interval o = (Interval) other;
            return start == o.start && end == o.end && Objects.equals(java, o.java);
        }

        @Override
        public int hashCode() {
            int h = 0;
            h = 31 * h + Long.hashCode(start);
            h = 31 * h + Long.hashCode(end);
            h = 31 * h + Objects.hashCode(java);
            return h;
        }

        @Override
        public String toString() {
            return "Interval[start=" + start + ", end=" + end + ", java=" + java + "]";
        }
    }

    /** null if equal: class and method of every frame, the line of interpreted callers (the top's line is where the snapshot was taken). */
    private static String compare(List<Frame> kfr, StackTraceElement[] jvm) {
        if (jvm == null) {
            return "no Thread.getStackTrace to compare with";
        }
        for (int i = 0; i < Math.max(kfr.size(), jvm.length); i++) {
            Frame k = i < kfr.size() ? kfr.get(i) : null;
            StackTraceElement j = i < jvm.length ? jvm[i] : null;
            boolean same = k != null && j != null && k.owner().equals(j.getClassName())
                    && k.method().equals(j.getMethodName())
                    && (i == 0 || k.type() != FrameType.INTERPRETED || k.line() == j.getLineNumber());
            if (!same) {
                return "frame " + i + " is " + (k == null ? "missing" : k) + ", the JVM says "
                        + (j == null ? "none" : j.getClassName() + "." + j.getMethodName() + ":" + j.getLineNumber());
            }
        }
        return null;
    }

    /** The known chain: run -> a -> b -> c -> leaf, which parks. */
    static final class Chain implements Runnable {
        volatile int tid;
        /** The blocking calls' windows, System.nanoTime (CLOCK_MONOTONIC, the BPF program's clock). */
        final List<long[]> calls = new java.util.concurrent.CopyOnWriteArrayList<>();
        volatile boolean stop;
        /** getStackTrace at the last blocking call, from leaf down. */
        volatile StackTraceElement[] expected;
        private long sink;

        @Override
        public void run() {
            tid = Tids.current();
            int calls = BLOCKS_PER_PHASE + WARM_UP_CALLS + 1 + BLOCKS_PER_PHASE;
            for (int i = 0; i < calls && !stop; i++) {
                sink += a(nanos(i)); // one call site: every call has the same stack below leaf
            }
        }

        /**
         * First blocking calls while the chain is interpreted; then the warm-up, in which C1 and
         * C2 compile it (inlined into a) — the branch that parks is taken now and then, so the
         * compiled code has it instead of an uncommon trap; then a longer park while the
         * compilations are installed; then blocking calls of the compiled chain.
         */
        private static long nanos(int i) {
            int w = i - BLOCKS_PER_PHASE;
            if (w < 0) return BLOCK_NANOS;
            if (w < WARM_UP_CALLS) return (w & 1023) == 0 ? 1_000 : 0;
            return w == WARM_UP_CALLS ? 30_000_000L : BLOCK_NANOS;
        }

        private long a(long nanos) {
            return b(nanos) + 1;
        }

        private long b(long nanos) {
            return c(nanos) + 1;
        }

        private long c(long nanos) {
            return leaf(nanos) + 1;
        }

        private long leaf(long nanos) {
            if (nanos > 0) {
                StackTraceElement[] st = new Throwable().getStackTrace();
                long start = System.nanoTime();
                LockSupport.parkNanos(nanos);
                if (nanos >= BLOCK_NANOS) {
                    expected = st;
                    calls.add(new long[] {start, System.nanoTime()});
                }
            }
            return nanos;
        }
    }
}
