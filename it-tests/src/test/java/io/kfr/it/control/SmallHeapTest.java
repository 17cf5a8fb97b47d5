package io.kfr.it.control;

import io.kfr.it.support.Jdk;
import io.kfr.it.support.JvmRun;
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
    /** What kfr may add to the application's heap after GC in these runs (it added ~14 MB before its tables moved off-heap). */
    private static final long MAX_GROWTH = 4L << 20;

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

    /** Runs SmallHeap; kfrOptions null: without kfr. Asserts the application finished normally. */
    private static JvmRun.Result run(String xmx, String kfrOptions, String... args) throws Exception {
        JvmRun run = JvmRun.on(Jdk.JDK17).jvmArg(xmx).jvmArg("-XX:+UseG1GC").main(SmallHeap.class, args);
        if (kfrOptions != null) {
            run.agent(kfrOptions);
        }
        JvmRun.Result r = run.run(120);
        assertEquals(0, r.exitCode(), r.describe());
        assertTrue(r.stdout().contains("WORKLOAD-DONE"), r.describe());
        assertFalse(r.stderr().contains("Exception in thread"), "no thread died\n" + r.describe());
        return r;
    }

    private static long heapAfterGc(JvmRun.Result r) {
        return r.stdout().lines().filter(l -> l.startsWith("HEAP-AFTER-GC ")).mapToLong(l -> Long.parseLong(l.substring(14)))
                .findFirst().orElseThrow(() -> new AssertionError(r.describe()));
    }
}
