package io.kfr.collectors.pt;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Proof over native code: pt_target_work (a loop, conditionals, direct and indirect calls, a jump
 * table, returns) is single-stepped in a child process; the packets PT would have written for that
 * execution, decoded over the program's file, give back exactly the recorded instructions, and the
 * segments the recorded branch kinds call for.
 */
class PtNativeDecodeTest {
    @TempDir
    static Path dir;
    static PtDecodeTraces t;

    @BeforeAll
    static void synthesize() throws Exception {
        assertNull(PtNative.load());
        t = PtDecodeTraces.nativeTarget(dir, 40, 512);
        assertTrue(t.instructions() > 1000, "the recording has the loop: " + t.instructions());
        for (int kind : new int[] {PtDecodeTraces.COND_TAKEN, PtDecodeTraces.COND_NOT_TAKEN, PtDecodeTraces.CALL,
                PtDecodeTraces.CALL_INDIRECT, PtDecodeTraces.JUMP_INDIRECT, PtDecodeTraces.RETURN}) {
            int k = kind;
            assertTrue(count(t.kinds, k) > 0, "the execution has branch kind " + k);
        }
    }

    static int count(byte[] kinds, int kind) {
        int n = 0;
        for (byte b : kinds) {
            n += b == kind ? 1 : 0;
        }
        return n;
    }

    @Test
    void decodedInstructionsAreTheRecordedOnes() throws Exception {
        try (PtImage image = t.image()) {
            long[] ips = new long[t.instructions() + 100];
            PtDecodeResult r = PtDecoder.decode(image, ByteBuffer.wrap(t.trace), PtCpu.unknown(), 10_000_000, 10_000, ips);
            assertEquals(0, r.errors, r::toString);
            assertTrue(r.stops.isEmpty(), r::toString);
            assertFalse(r.truncated);
            assertEquals(t.instructions(), r.instructions, r::toString);
            assertArrayEquals(Arrays.copyOf(t.steps, t.instructions()), Arrays.copyOf(ips, (int) r.instructions));
            List<PtSegment> expected = t.expectedSegments();
            assertEquals(expected.size(), r.segments.size());
            for (int i = 0; i < expected.size(); i++) {
                PtSegment e = expected.get(i), a = r.segments.get(i);
                String at = "segment " + i + ": expected " + e + ", decoded " + a;
                assertEquals(e.firstIp, a.firstIp, at);
                assertEquals(e.lastIp, a.lastIp, at);
                assertEquals(e.instructions, a.instructions, at);
                assertEquals(e.conditionals, a.conditionals, at);
                assertEquals(e.conditionalsTaken, a.conditionalsTaken, at);
                assertEquals(e.end, a.end, at);
                assertEquals(e.end == PtSegment.END_GAP ? 0 : e.target, a.target, at);
                assertEquals(-1, a.timeNanos, "no time without a TSC conversion");
            }
        }
    }

    @Test
    void segmentsCarryTheTraceTimeWithAConversion() throws Exception {
        try (PtImage image = t.image()) {
            PtCpu identity = PtCpu.unknown().withTscConversion(0, 1, 0); // ns == TSC
            PtDecodeResult r = PtDecoder.decode(image, ByteBuffer.wrap(t.trace), identity, 10_000_000, 10_000);
            long last = t.tscFirst;
            for (PtSegment s : r.segments) {
                assertTrue(s.timeNanos >= last && s.timeNanos <= t.tscLast, () -> s + " outside the recording's TSCs");
                last = s.timeNanos;
            }
            assertTrue(last > t.tscFirst, "later PSBs' TSCs reach the segments");
        }
    }

    @Test
    void aTraceCutAtThStartResumesAtTheNextPsb() throws Exception {
        List<Integer> psbs = t.psbOffsets();
        assertTrue(psbs.size() >= 3, "PSBs every 512 bytes: " + psbs);
        try (PtImage image = t.image()) {
            int cut = psbs.get(1) - 5; // the middle of the packets before the second PSB
            long[] ips = new long[t.instructions()];
            PtDecodeResult r = PtDecoder.decode(image, ByteBuffer.wrap(t.trace, cut, t.trace.length - cut),
                    PtCpu.unknown(), 10_000_000, 10_000, ips);
            assertEquals(0, r.errors, r::toString);
            int n = (int) r.instructions;
            assertTrue(n > 0 && n < t.instructions(), r::toString);
            assertArrayEquals(Arrays.copyOfRange(t.steps, t.instructions() - n, t.instructions()), Arrays.copyOf(ips, n),
                    "from the PSB on, the recorded instructions");
        }
    }
}
