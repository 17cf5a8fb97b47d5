package io.kfr.collectors.pt;

import io.kfr.collectors.Frame;
import io.kfr.collectors.FrameType;
import io.kfr.collectors.hotspot.JavaFrameSymbolizer;
import io.kfr.collectors.natives.KfrNative;
import io.kfr.collectors.natives.NativeLibrary;
import io.kfr.collectors.symbols.ProcessMaps;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The JVMTI sideband in this JVM: a method compiled while it runs has a load record whose range
 * holds the code kfr's own code-heap lookup names as that method, timed between before and after;
 * the same code, traced (pt_synth, single-stepped), then freed with its class, has an unload record
 * with the bytes it had, and the trace decodes exactly over those bytes alone; stubs are named
 * from its DynamicCodeGenerated records.
 */
class PtSidebandJvmTest {
    static final String UNLOADABLE = PtSidebandUnloadable.class.getName();

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        assertNull(PtNative.load());
        assertNull(NativeLibrary.load());
        assertNull(PtSideband.start());
    }

    @AfterAll
    static void stop() {
        PtSideband.stop();
        assertTrue(!PtSideband.running());
    }

    /** What the spinner left once traced and stopped: nothing of the class itself is held. */
    static final class Traced {
        PtDecodeTraces trace;
        PtSidebandRecord load;
        byte[] bytesBeforeUnload;
    }

    @Test
    void compiledCodeHasATimedLoadRecordAndFreedCodeItsBytesAndItsTraceDecodesOverThem() throws Exception {
        Traced traced = spinTraceAndStop();
        PtSidebandRecord load = traced.load;
        // the class goes with its loader at a full collection; its nmethods are freed then
        Optional<PtSidebandRecord> unload = Optional.empty();
        long until = System.nanoTime() + 60_000_000_000L;
        while (unload.isEmpty() && System.nanoTime() < until) {
            System.gc();
            Thread.sleep(100);
            unload = PtSideband.records(true).stream()
                    .filter(r -> r.kind == PtSidebandRecord.UNLOAD && r.address == load.address).findFirst();
        }
        assertTrue(unload.isPresent(), "an unload record for the freed code at 0x" + Long.toHexString(load.address));
        PtSidebandRecord u = unload.get();
        assertEquals(load.size, u.size, "the unload's range is the load's");
        assertEquals(load.tsc, u.loadTsc, "the unload knows its load's time");
        assertTrue(Long.compareUnsigned(u.tsc, traced.trace.tscLast) > 0, "unloaded after the trace");
        assertNotNull(u.bytes, "the freed code's bytes were copied: " + u);
        assertArrayEquals(traced.bytesBeforeUnload, u.bytes, "the copy is the code as it was before the unload");

        // the trace over the sideband's bytes for the freed nmethod, and pt_synth's copies for the
        // rest of the code heap it ran through (stubs), cut where the nmethod was
        PtDecodeTraces t = traced.trace;
        try (PtImage image = imageWithout(t, load.address, load.size)) {
            long[] ips = new long[t.instructions() + 16];
            PtDecodeResult none = PtDecoder.decode(image, ByteBuffer.wrap(t.trace), PtCpu.unknown(), 10_000_000, 10_000, ips);
            assertTrue(none.stops.getOrDefault("no code at ip", 0) >= 1, "without the sideband: " + none);
            long addStart = System.nanoTime();
            int entries = image.addSideband();
            long addNanos = System.nanoTime() - addStart;
            assertTrue(entries > 0);
            PtJitDecodeTest.assertDecodesExactly(t, image);
            // as the collector builds a snapshot's image: files, the code heap copied now, the sideband
            try (PtImage collectors = PtImage.ofThisProcess()) {
                assertTrue(collectors.copyCodeHeap() > 0);
                collectors.addSideband();
                PtJitDecodeTest.assertDecodesExactly(t, collectors);
            }
            System.out.println("PtSidebandJvmTest: " + t.instructions() + " instructions of freed code decoded exactly over the unload's "
                    + u.bytes.length + " copied bytes; the image took " + entries + " sideband entries in " + addNanos / 1000
                    + " us; sideband " + Arrays.toString(PtSideband.stats()));
        }
    }

    /** Runs the unloadable class until the JIT is done with it, traces it, stops it; returns what the test needs. */
    Traced spinTraceAndStop() throws Exception {
        PtSidebandProbe.Throwaway loader = new PtSidebandProbe.Throwaway();
        Class<?> c = loader.loadClass(UNLOADABLE);
        assertTrue(c.getClassLoader() == loader);
        long before = System.nanoTime(), tscBefore = PtSideband.tsc();
        Thread spinner = new Thread((Runnable) c.getDeclaredConstructor().newInstance(), "pt-sideband-spinner");
        spinner.setDaemon(true);
        spinner.start();
        try {
            List<PtSidebandRecord> loads = PtSidebandProbe.awaitJitDone();
            long after = System.nanoTime(), tscAfter = PtSideband.tsc();
            assertTrue(!loads.isEmpty(), "load records of the spinner's methods");
            for (PtSidebandRecord r : loads) {
                assertTrue(!r.beforeStart && before <= r.monotonicNanos && r.monotonicNanos <= after, r + " timed in the run");
                assertTrue(Long.compareUnsigned(tscBefore, r.tsc) <= 0 && Long.compareUnsigned(r.tsc, tscAfter) <= 0, r + " TSC in the run");
            }
            int tid = c.getField("tid").getInt(null);
            assertTrue(tid > 0);
            Traced out = new Traced();
            out.trace = PtDecodeTraces.attach(dir, ProcessHandle.current().pid(), tid, 20_000, 4096);
            PtDecodeTraces t = out.trace;
            // the nmethod the thread ran in: kfr's code-heap lookup names it, and a load record holds it
            String names = KfrNative.javaNamesAtPc(t.steps[0]);
            assertTrue(names != null && names.contains("PtSidebandUnloadable"), "kfr's lookup names the traced pc: " + names);
            PtSidebandRecord load = loads.stream().filter(r -> r.contains(t.steps[0])).reduce((a, b) -> b).orElse(null);
            assertNotNull(load, "a load record holds the traced pc 0x" + Long.toHexString(t.steps[0]) + ": " + loads);
            long inside = Arrays.stream(t.steps, 0, t.instructions()).filter(load::contains).count();
            assertTrue(inside * 10 > t.instructions() * 9, inside + " of " + t.instructions() + " steps in the nmethod");
            out.load = load;
            out.bytesBeforeUnload = PtSidebandProbe.readSelf(load.address, (int) load.size);
            return out;
        } finally {
            c.getField("stop").setBoolean(null, true);
            spinner.join(10_000);
        }
    }

    /** The code pt_synth copied, less [address, address + size). */
    static PtImage imageWithout(PtDecodeTraces t, long address, long size) throws IOException {
        PtImage image = PtImage.empty();
        for (String line : t.imageLines) {
            String[] f = line.split(" ", 5);
            if (!f[0].equals("code")) {
                continue;
            }
            long at = Long.parseUnsignedLong(f[1], 16);
            byte[] b = Files.readAllBytes(t.dir.resolve(f[2]));
            long cutFrom = Math.max(at, address), cutTo = Math.min(at + b.length, address + size);
            if (cutFrom >= cutTo) {
                image.addCode(at, b, f[2]);
                continue;
            }
            if (cutFrom > at) {
                image.addCode(at, Arrays.copyOf(b, (int) (cutFrom - at)), f[2]);
            }
            if (cutTo < at + b.length) {
                image.addCode(cutTo, Arrays.copyOfRange(b, (int) (cutTo - at), b.length), f[2]);
            }
        }
        return image;
    }

    /**
     * Stops and starts while the JIT compiles and the GC unloads in other threads: callbacks in flight
     * meet a stopped (freed) sideband and must record nothing and crash nothing; every start reports
     * the code that exists again.
     */
    @Test
    void startAndStopWhileCodeComesAndGoes() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        Thread churn = new Thread(() -> {
            for (int i = 0; !done.get(); i++) {
                try {
                    Class<?> c = new PtSidebandProbe.Throwaway().loadClass(UNLOADABLE); // a fresh class each time: new code to compile
                    Thread t = new Thread((Runnable) c.getDeclaredConstructor().newInstance());
                    t.start();
                    Thread.sleep(20);
                    c.getField("stop").setBoolean(null, true);
                    t.join();
                    if (i % 8 == 0) {
                        System.gc();
                    }
                } catch (ReflectiveOperationException | InterruptedException e) {
                    throw new AssertionError(e);
                }
            }
        }, "pt-sideband-churn");
        churn.start();
        try {
            int records = 0;
            long loads = 0, unloads = 0;
            for (int round = 0; round < 40; round++) {
                long[] before = PtSideband.stats();
                loads += before[PtSideband.STAT_LOADS];
                unloads += before[PtSideband.STAT_UNLOADS];
                PtSideband.stop();
                assertTrue(!PtSideband.running() && PtSideband.records(false).isEmpty(), "stopped and freed");
                Thread.sleep(5);
                assertNull(PtSideband.start());
                assertTrue(PtSideband.records(false).stream().anyMatch(r -> r.beforeStart), "the code that exists, reported again");
                Thread.sleep(10);
                records += PtSideband.records(true).size();
            }
            assertTrue(records > 0);
            long[] s = PtSideband.stats();
            System.out.println("PtSidebandJvmTest: 40 stops and starts under JIT and class unloading churn (" + loads + " loads, " + unloads
                    + " unloads recorded in all); last run " + Arrays.toString(s));
        } finally {
            done.set(true);
            churn.join(30_000);
            if (!PtSideband.running()) {
                assertNull(PtSideband.start());
            }
        }
    }

    @Test
    void stubsAreNamedFromDynamicCodeRecords() {
        List<PtSidebandRecord> stubs = PtSideband.dynamicCode();
        assertTrue(stubs.stream().anyMatch(r -> r.beforeStart && "Interpreter".equals(r.name)), "the interpreter reported at the start: " + stubs.size());
        PtPathsNames names = new PtPathsNames(stubs);
        ProcessMaps maps = ProcessMaps.self();
        int knownBefore = 0, namedNow = 0;
        List<String> shown = new ArrayList<>();
        for (PtSidebandRecord r : stubs) {
            long ip = r.address + r.size / 2;
            List<Frame> jit = JavaFrameSymbolizer.framesAtPc(ip);
            boolean known = (jit != null && jit.get(0).type() != FrameType.UNKNOWN) || maps.resolve(ip).type() != FrameType.UNKNOWN;
            List<Frame> f = names.apply(ip);
            if (known) {
                knownBefore++;
                continue;
            }
            String expected = names.stubName(ip);
            assertNotNull(expected, r.toString());
            assertEquals(List.of(new Frame("libjvm.so", "[stub] " + expected, "()V", FrameType.CPP, -1, -1)), f, r.toString());
            namedNow++;
            if (shown.size() < 5) {
                shown.add(expected);
            }
        }
        assertEquals(0, names.unnamed(), "every stub address named");
        assertTrue(namedNow > 0, "some stubs only the sideband names (" + knownBefore + " named by the code heap's lookup)");
        System.out.println("PtSidebandJvmTest: " + stubs.size() + " dynamic code records; " + namedNow + " addresses named only by them (e.g. "
                + shown + "), " + knownBefore + " by kfr's lookup too");
    }
}
