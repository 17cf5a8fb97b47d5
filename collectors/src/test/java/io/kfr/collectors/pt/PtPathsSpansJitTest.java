package io.kfr.collectors.pt;

import io.kfr.collectors.Frame;
import io.kfr.collectors.FrameType;
import io.kfr.collectors.natives.NativeLibrary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hot paths and spans of real JIT code, named as kfr names Java frames: a thread of this JVM
 * spinning in C2-compiled ptHot (ptStep inlined, whose megamorphic call goes through an itable stub
 * into lambdas) is single-stepped and turned into PT packets; the trace is decoded over this
 * process's image (its code heap copied now) and converted with the collector's own namer
 * ({@link PtPathsNames}: javaNamesAtPc). The paths name ptStep as an inlined scope of ptHot with the
 * lines of the source, and every call of the recording is one span.
 */
class PtPathsSpansJitTest {
    @TempDir
    Path dir;
    private static volatile boolean stop;

    /** The line of the spinner's source that holds {@code text}. */
    private static int line(String text) throws Exception {
        List<String> lines = Files.readAllLines(Path.of("src/test/java/io/kfr/collectors/pt/PtDecodeJitSpinner.java"));
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(text)) {
                return i + 1;
            }
        }
        throw new AssertionError(text);
    }

    /** Waits until the JIT has compiled nothing for 500 ms (at most 20 s). */
    private static void quietJit() throws InterruptedException {
        java.lang.management.CompilationMXBean jit = java.lang.management.ManagementFactory.getCompilationMXBean();
        long until = System.nanoTime() + 20_000_000_000L;
        long seen = -1;
        long since = System.nanoTime();
        while (System.nanoTime() < until) {
            long now = jit.getTotalCompilationTime();
            if (now != seen) {
                seen = now;
                since = System.nanoTime();
            } else if (System.nanoTime() - since > 500_000_000L) {
                return;
            }
            Thread.sleep(20);
        }
    }

    @Test
    void jitPathsNameInlinedScopesWithTheirLinesAndEveryCallIsASpan() throws Exception {
        assertNull(PtNative.load());
        assertNull(NativeLibrary.load());
        AtomicInteger tid = new AtomicInteger();
        Thread spinner = new Thread(() -> {
            int[] a = PtDecodeJitSpinner.data();
            PtDecodeJitSpinner.warm(a);
            try {
                tid.set(PtDecodeJitSpinner.tid());
            } catch (java.io.IOException e) {
                tid.set(-1);
            }
            while (!stop) { // not PtDecodeJitSpinner.spin: its stop flag is the decode proofs'
                PtDecodeJitSpinner.sink += PtDecodeJitSpinner.ptHot(a, 1000);
            }
        }, "pt-paths-spinner");
        spinner.setDaemon(true);
        spinner.start();
        try {
            long until = System.nanoTime() + 30_000_000_000L;
            while (tid.get() == 0 && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            assertTrue(tid.get() > 0, "the spinner warmed up");
            quietJit(); // this loop's own compilations (OSR) must not change code between trace and copy
            PtDecodeTraces t = PtDecodeTraces.attach(dir, ProcessHandle.current().pid(), tid.get(), 20_000, 4096);
            List<PtSegment> segments;
            long decoded;
            try (PtImage image = PtImage.ofThisProcess()) {
                assertTrue(image.copyCodeHeap() > 0);
                PtDecodeResult r = PtDecoder.decode(image, ByteBuffer.wrap(t.trace), PtCpu.unknown(), 10_000_000, 10_000);
                assertEquals(0, r.errors, r::toString);
                assertTrue(r.stops.isEmpty(), r::toString);
                // exactness of the decode is PtJitDecodeTest's proof; here a safepoint or a compilation of
                // this test's own loop during the single-steps may leave a short stretch undecoded
                assertTrue(r.instructions > t.instructions() * 9 / 10, r::toString);
                segments = r.segments;
                decoded = r.instructions;
            }
            PtPathsNames names = new PtPathsNames();
            List<PtHotPath> paths = PtPaths.of(segments, names);
            // the collector's own step, from a snapshot of the trace to the result it delivers
            PtSnapshot snapshot = new PtSnapshot(tid.get(), PtSnapshot.ON_DEMAND, io.kfr.collectors.Clocks.nowEpochNanos(),
                    ByteBuffer.wrap(t.trace), t.trace.length, false, null);
            PtSnapshotResult result;
            try (PtImage image = PtImage.ofThisProcess()) {
                image.copyCodeHeap();
                result = PtSnapshotDecode.decode(7, snapshot, image, PtCpu.unknown(), -1);
            }
            assertEquals(7, result.snapshot);
            assertEquals(decoded, result.instructions, result::toString);
            assertEquals(paths.size(), result.paths.size(), result::toString);
            assertEquals(paths.get(0).stack, result.paths.get(0).stack, "the hottest path as named above");
            assertEquals(decoded, paths.stream().mapToLong(p -> p.instructions).sum(), "every instruction on a path");
            int stepLine = line("return (v & 1) == 0 ? op.apply(v, i) : v * 5 + i;");
            int callSiteLine = line("s += ptStep(OPS[i & 3], a[i & 63], i);");
            String spinnerClass = PtDecodeJitSpinner.class.getName();
            long inlined = 0;
            for (PtHotPath p : paths) {
                List<Frame> f = p.stack.frames();
                if (f.size() >= 2 && f.get(0).method().equals("ptStep") && f.get(1).method().equals("ptHot")) {
                    assertEquals(spinnerClass, f.get(0).owner(), p.toString());
                    assertEquals(FrameType.INLINED, f.get(0).type(), p.toString());
                    // ptHot is compiled on its own, or inlined into this test's loop when that was compiled too
                    assertTrue(f.get(1).type() == FrameType.JIT_COMPILED || f.get(1).type() == FrameType.INLINED, p.toString());
                    assertEquals(stepLine, f.get(0).line(), "ptStep's line: " + p);
                    assertEquals(callSiteLine, f.get(1).line(), "ptHot's line of the inlined call: " + p);
                    inlined += p.instructions;
                }
            }
            assertTrue(inlined > 0, "a path in ptStep inlined into ptHot: " + paths);
            long javaInstructions = paths.stream().filter(p -> p.stack.frames().stream()
                    .anyMatch(f -> spinnerClass.equals(f.owner()) || f.owner().startsWith(spinnerClass + "$"))).mapToLong(p -> p.instructions)
                    .sum();
            assertTrue(javaInstructions * 2 > decoded, javaInstructions + " of " + decoded
                    + " instructions on paths of the spinner's code: " + paths);
            int calls = 0;
            for (byte k : t.kinds) {
                calls += k == PtDecodeTraces.CALL || k == PtDecodeTraces.CALL_INDIRECT ? 1 : 0;
            }
            List<PtSpan> spans = PtSpans.of(segments, names);
            List<PtSpan> physical = spans.stream().filter(s -> !s.method.contains(" (inlined in "))
                    .collect(java.util.stream.Collectors.toList());
            long called = physical.stream().filter(s -> s.startInstruction > 0).count();
            assertTrue(calls > 10, "the megamorphic call ran: " + calls);
            // every physical span after the first instruction is a call of the recording, or a caller a
            // return below the start revealed
            assertTrue(called >= calls * 9 / 10 && called <= calls + 8, called + " spans for " + calls + " calls");
            // ptStep's megamorphic call: through the itable stub into a lambda
            List<PtSpan> lambdas = spans.stream().filter(s -> s.method.startsWith(spinnerClass + "$$Lambda")
                    && s.method.endsWith(".apply(II)I")).collect(java.util.stream.Collectors.toList());
            assertTrue(lambdas.size() >= calls * 9 / 10 - 2, lambdas.size() + " lambda spans for " + calls + " calls: " + spans);
            assertTrue(lambdas.stream().allMatch(s -> s.endInstruction - s.startInstruction < 100), "a lambda is short: " + lambdas);
            // ptStep is inlined: its stretches are spans of their own, and the lambdas it calls are one deeper,
            // inside one of them
            String stepScope = spinnerClass + ".ptStep(L" + spinnerClass.replace('.', '/') + "$Op;II)I (inlined in ";
            List<PtSpan> steps = spans.stream().filter(s -> s.method.startsWith(stepScope))
                    .collect(java.util.stream.Collectors.toList());
            // (two calls of ptStep with no instruction outside its scope between them are one stretch)
            assertTrue(!steps.isEmpty(), "ptStep spans: " + spans);
            for (PtSpan l : lambdas) {
                if (l.startInstruction == 0) {
                    continue; // the trace began inside it: what called it was never seen
                }
                assertTrue(steps.stream().anyMatch(s -> s.depth == l.depth - 1 && s.startInstruction <= l.startInstruction
                        && s.endInstruction >= l.endInstruction), "the lambda " + l + " inside a ptStep span: " + steps);
            }
            PtSpan step = steps.get(0);
            assertTrue(spans.stream().anyMatch(s -> s.depth == step.depth - 1 && (s.method.startsWith(spinnerClass + ".ptHot(")
                    || s.method.contains(getClass().getName() + ".lambda$"))), "ptStep inside ptHot's code: " + spans);
        } finally {
            stop = true;
            spinner.join(10_000);
        }
    }
}
