package io.kfr.collectors.hotspot;

import io.kfr.collectors.Frame;
import io.kfr.collectors.FrameType;
import io.kfr.collectors.Tids;
import io.kfr.collectors.cpu.SampledPcs;
import io.kfr.collectors.natives.KfrNative;
import io.kfr.collectors.natives.NativeLibrary;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What libkfr keeps to name frames fast changes no name: interrupted pcs named through their
 * nmethod's debug points (KfrNative.javaDebugPoint, the PcDesc table read once), and frames named
 * with the names of their methods kept, get exactly the names of the path that keeps nothing (the
 * PcDescs, scopes and Symbols of that very pc read): every pc of a real compiled method of this
 * JVM, in a random order, inlined scopes, lines and bcis included.
 */
class DebugPointNamesTest {
    private static volatile boolean stop;
    private static volatile long sink;

    /** Compiled by the JIT with its callees inlined: several debug points with several scopes. */
    static long debugPointTarget(long x) {
        for (int i = 0; i < 500; i++) {
            x = mix(x, i);
            if ((x & 0xff) == 7) {
                x = fold(x);
            }
        }
        return x;
    }

    private static long mix(long x, int i) {
        return x * 6364136223846793005L + 1442695040888963407L + i;
    }

    /** Its allocation (of a variable length, so it stays) calls the runtime: a debug point inside an inlined scope. */
    private static long fold(long x) {
        long[] a = new long[(int) (x >>> 61) + 1];
        a[0] = x ^ (x >>> 17);
        return a[a.length - 1] ^ (x << 5);
    }

    @Test
    void everyPcOfACompiledMethodIsNamedAsWithoutTheCache() throws Exception {
        assertNull(NativeLibrary.load());
        for (int i = 0; i < 200_000; i++) {
            sink = debugPointTarget(i);
        }
        long pc = sampledPcIn("debugPointTarget");
        long[] frame = KfrNative.javaPcFrame(pc);
        assertNotNull(frame, "the sampled pc is in an nmethod");
        long blob = frame[0];
        int cookie = (int) frame[2];
        List<Integer> offsets = new ArrayList<>();
        for (int x = 0; x < 1 << 20; x++) { // the nmethod's pcs: those that map back to it
            long[] f = KfrNative.javaPcFrame(blob + x);
            if (f != null && f[0] == blob) {
                offsets.add(x);
            } else if (x > pc - blob) {
                break;
            }
        }
        Collections.shuffle(offsets);

        Map<Integer, List<Frame>> expected = new HashMap<>();
        for (int x : offsets) { // without anything kept: the PcDescs, scopes and Symbols of that pc read
            KfrNative.javaNameCachesClear();
            expected.put(x, JavaFrameSymbolizer.framesOf(KfrNative.javaFrameNames(blob, pcValue(x), cookie)));
        }
        Collections.shuffle(offsets);
        JavaFrameSymbolizer symbolizer = new JavaFrameSymbolizer();
        symbolizer.beginBatch();
        Set<Integer> points = new HashSet<>();
        int named = 0, inlined = 0;
        for (int x : offsets) {
            List<Frame> want = expected.get(x);
            assertEquals(want, symbolizer.frames(blob, pcValue(x), cookie), "names of pc offset " + x + " by debug point");
            assertEquals(want, JavaFrameSymbolizer.framesOf(KfrNative.javaFrameNames(blob, pcValue(x), cookie)),
                    "names of pc offset " + x + " with the method names kept");
            int point = KfrNative.javaDebugPoint(blob, pcValue(x), cookie);
            if (point >= 0) {
                points.add(point);
            }
            if (want.get(0).type() != FrameType.UNKNOWN) {
                named++;
                inlined += want.size() > 1 ? 1 : 0;
            }
        }
        symbolizer.endBatch();
        assertTrue(named * 2 > offsets.size(), named + " of " + offsets.size() + " pcs named");
        assertTrue(points.size() >= 2 && points.size() * 4 < named,
                points.size() + " debug points for " + named + " named pcs: the cache must map many pcs to few points");
        assertTrue(inlined > 0, "no pc named with inlined scopes");
    }

    private static int pcValue(int offset) {
        return JavaStackRecords.KIND_COMPILED_PC << JavaStackRecords.KIND_SHIFT | offset;
    }

    /** A pc the CPU sampler interrupted in the given compiled method, spun on another thread. */
    static long sampledPcIn(String method) throws Exception {
        AtomicInteger tid = new AtomicInteger();
        stop = false;
        Thread spinner = new Thread(() -> {
            tid.set(Tids.current());
            long x = 0;
            while (!stop) {
                x = debugPointTarget(x);
            }
            sink = x;
        }, "debug-point-spinner");
        spinner.start();
        try {
            long pc = SampledPcs.first(tid::get, names -> names.contains("DebugPointNamesTest\t" + method + "\t"), 5);
            assertTrue(pc != 0, "no sampled pc in " + method);
            return pc;
        } finally {
            stop = true;
            spinner.join();
        }
    }
}
