package io.kfr.it.control;

import io.kfr.it.support.Jdk;
import io.kfr.it.support.JvmRun;
import io.kfr.it.support.workload.DistinctStacks;
import io.kfr.it.support.workload.SmallHeap;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kfr in a JVM with a small heap that the application nearly fills: the application runs as it
 * does without kfr, kfr's tables stay out of its heap, and when kfr cannot allocate it stops itself
 * with one line while the JVM runs on. Each scenario runs without and with kfr (JDK 17, G1).
 */
class SmallHeapTest {
    /**
     * What kfr may add to the application's heap after GC in these runs: it read +1.0 MB, of which
     * ~0.2 MB is what any -javaagent costs (the JDK resolves its module graph instead of using the
     * archived one) and the rest kfr's caches sized for a 32 MB heap (HeapShare); +1.5 MB with
     * caches of a fixed size, ~14 MB before its tables moved off-heap. 0.5 MB of margin for the
     * allocation buffers HEAP-AFTER-GC counts and run-to-run spread.
     */
    private static final long MAX_GROWTH = 3L << 19;

    /**
     * What kfr may keep in the heap of an application whose stacks never repeat, however long it
     * runs: every cache, pool and generation full, sized for a 64 MB heap (docs/safety.md); it
     * read +1.2 to +1.4 MB (+4.7 to +5.6 MB with caches of a fixed size). Before the bounds this
     * run reached the 64 MB limit within 10 s.
     */
    private static final long MAX_GROWTH_DISTINCT_STACKS = 5L << 19;
    /** How much the second half's highest checkpoint may exceed the first half's (checkpoints spread ~0.4-1 MB). */
    private static final long MAX_LATE_RISE = 3L << 19;

    /** The case: 24 MB live in -Xmx32m died with OutOfMemoryError with kfr. */
    @Test
    void liveSetNearTheLimitOf32m() throws Exception {
        JvmRun.Result without = run("-Xmx32m", null, "24", "4");
        JvmRun.Result with = run("-Xmx32m", "", "24", "4");
        long growth = heapAfterGc(with) - heapAfterGc(without);
        System.out.printf("small heap: -Xmx32m, 24 MB live: heap after GC %d kB without kfr, %d kB with (+%d kB)%n",
                heapAfterGc(without) >> 10, heapAfterGc(with) >> 10, growth >> 10);
        assertTrue(growth <= MAX_GROWTH, "kfr grew the application's heap by " + (growth >> 10) + " kB\n" + with.describe());
    }

    /**
     * -Xmx16m with 8 MB live: the collector thread died early, silently, and status kept saying
     * "none yet". Now the application finishes as without kfr; kfr records, or, if the heap leaves
     * it no room (it has ~2 MB here, about what it needs), it says so in one line.
     */
    @Test
    void liveSetIn16m() throws Exception {
        run("-Xmx16m", null, "8", "4");
        JvmRun.Result with = run("-Xmx16m", "", "8", "4");
        assertTrue(with.kfrLines().stream().filter(l -> l.contains("stopped")).count() <= 1, with.describe());
        assertFalse(with.stderr().contains("UncaughtExceptionHandler"), with.describe());
    }

    /**
     * The application fills its heap to OutOfMemoryError for 1.5 s and survives it: kfr's thread fails
     * to allocate meanwhile, releases its kernel side, says so in one line once the heap has room,
     * and nothing reaches the JVM's uncaught-exception handler.
     */
    @Test
    void kfrStopsItselfWhenTheHeapIsFull() throws Exception {
        run("-Xmx16m", null, "6", "4", "fill");
        JvmRun.Result with = run("-Xmx16m", "", "6", "4", "fill");
        List<String> stopped = with.kfrLines().stream().filter(l -> l.contains("off-CPU collector stopped")).toList();
        assertEquals(1, stopped.size(), "one line saying that kfr stopped\n" + with.describe());
        assertTrue(stopped.get(0).contains("OutOfMemoryError") && stopped.get(0).contains("the JVM runs on"), stopped.get(0));
        assertFalse(with.stderr().contains("UncaughtExceptionHandler in thread \"kfr"), with.describe());
    }

    /**
     * 131,072 distinct Java stacks slept in (8 threads, 24 s): far more than any of kfr's caches
     * holds, so a cache or pool that grows with distinct stacks shows as a heap that keeps rising.
     * The heap after GC with kfr stays within a fixed bound of the heap without it, and its
     * highest checkpoint of the second half is not above that of the first half (the caches
     * fill within seconds) by more than the checkpoints' spread.
     */
    @Test
    void manyDistinctStacksKeepTheHeapBounded() throws Exception {
        JvmRun.Result without = run(DistinctStacks.class, "-Xmx64m", null, "24", "4");
        JvmRun.Result with = run(DistinctStacks.class, "-Xmx64m", "", "24", "4");
        assertTrue(paths(with) >= 100_000, "the workload slept in " + paths(with) + " distinct stacks\n" + with.describe());
        List<Long> heap = heapsAfterGc(with);
        long growth = max(heap) - max(heapsAfterGc(without));
        long early = max(heap.subList(0, heap.size() / 2));
        long late = max(heap.subList(heap.size() / 2, heap.size()));
        System.out.printf("distinct stacks: heap after GC with kfr %s kB (max %d kB over the run without kfr: +%d kB)%n",
                heap.stream().map(b -> String.valueOf(b >> 10)).collect(java.util.stream.Collectors.joining(", ")),
                max(heapsAfterGc(without)) >> 10, growth >> 10);
        assertTrue(growth <= MAX_GROWTH_DISTINCT_STACKS, "kfr grew the application's heap by " + (growth >> 10) + " kB\n" + with.describe());
        assertTrue(late - early <= MAX_LATE_RISE, "the heap kept rising: " + heap + "\n" + with.describe());
        assertFalse(with.stderr().contains("collector stopped"), with.describe());
    }

    /** Runs SmallHeap; kfrOptions null: without kfr. Asserts the application finished normally. */
    private static JvmRun.Result run(String xmx, String kfrOptions, String... args) throws Exception {
        return run(SmallHeap.class, xmx, kfrOptions, args);
    }

    private static JvmRun.Result run(Class<?> main, String xmx, String kfrOptions, String... args) throws Exception {
        JvmRun run = JvmRun.on(Jdk.JDK17).jvmArg(xmx).jvmArg("-XX:+UseG1GC").main(main, args);
        if (kfrOptions != null) {
            run.agent(kfrOptions);
        }
        JvmRun.Result r = run.run(120);
        assertEquals(0, r.exitCode(), r.describe());
        assertTrue(r.stdout().contains("WORKLOAD-DONE"), r.describe());
        assertFalse(r.stderr().contains("Exception in thread"), "no thread died\n" + r.describe());
        return r;
    }

    /** DistinctStacks' checkpoints, in time order. */
    private static List<Long> heapsAfterGc(JvmRun.Result r) {
        List<Long> heap = r.stdout().lines().filter(l -> l.startsWith("HEAP-AFTER-GC "))
                .map(l -> Long.parseLong(l.substring(l.lastIndexOf(' ') + 1))).toList();
        assertTrue(heap.size() >= 4, r.describe());
        return heap;
    }

    private static long max(List<Long> values) {
        return values.stream().mapToLong(Long::longValue).max().orElseThrow();
    }

    private static long paths(JvmRun.Result r) {
        return r.stdout().lines().filter(l -> l.startsWith("PATHS ")).mapToLong(l -> Long.parseLong(l.substring(6)))
                .findFirst().orElseThrow(() -> new AssertionError(r.describe()));
    }

    private static long heapAfterGc(JvmRun.Result r) {
        return r.stdout().lines().filter(l -> l.startsWith("HEAP-AFTER-GC ")).mapToLong(l -> Long.parseLong(l.substring(14)))
                .findFirst().orElseThrow(() -> new AssertionError(r.describe()));
    }
}
