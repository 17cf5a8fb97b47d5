package io.kfr.collectors.pt;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
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
 * table, returns, a syscall in libc) is single-stepped in a child process; the packets PT would have written for that
 * execution, decoded over the program's and libc's files, give back exactly the recorded instructions, and the
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
        assertTrue(t.imageLines.size() >= 2 && t.imageLines.stream().anyMatch(l -> l.contains("/libc.so")),
                "pt_target's file and libc's (the syscall's wrapper): " + t.imageLines);
        for (int kind : new int[] {PtDecodeTraces.COND_TAKEN, PtDecodeTraces.COND_NOT_TAKEN, PtDecodeTraces.CALL,
                PtDecodeTraces.CALL_INDIRECT, PtDecodeTraces.JUMP_INDIRECT, PtDecodeTraces.RETURN, PtDecodeTraces.SYSCALL}) {
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

    /** With a real Intel CPU's identity libipt applies that CPU's errata workarounds; none bears on this trace. */
    @Test
    void anIntelCpusErrataChangeNothingHere() throws Exception {
        try (PtImage image = t.image()) {
            for (PtCpu cpu : new PtCpu[] {PtCpu.intel(6, 0x55, 4), PtCpu.intel(6, 0x8f, 8), PtCpu.host()}) {
                long[] ips = new long[t.instructions() + 16];
                PtDecodeResult r = PtDecoder.decode(image, ByteBuffer.wrap(t.trace), cpu, 10_000_000, 10_000, ips);
                assertEquals(t.instructions(), r.instructions, () -> cpu + ": " + r);
                assertArrayEquals(Arrays.copyOf(t.steps, t.instructions()), Arrays.copyOf(ips, t.instructions()), cpu::toString);
            }
        }
    }

    @Test
    void theBudgetsStopDecodingAndSaySo() throws Exception {
        try (PtImage image = t.image()) {
            long[] ips = new long[600];
            PtDecodeResult r = PtDecoder.decode(image, ByteBuffer.wrap(t.trace), PtCpu.unknown(), 500, 10_000, ips);
            assertEquals(500, r.instructions, r::toString);
            assertTrue(r.truncated);
            assertEquals(java.util.Map.of("budget", 1), r.stops);
            assertEquals(0, r.errors);
            assertArrayEquals(Arrays.copyOf(t.steps, 500), Arrays.copyOf(ips, 500));
            assertEquals(PtSegment.END_GAP, r.segments.get(r.segments.size() - 1).end);
            PtDecodeResult noTime = PtDecoder.decode(image, ByteBuffer.wrap(t.trace), PtCpu.unknown(), 10_000_000, 0);
            assertTrue(noTime.truncated && noTime.instructions == 0, noTime::toString);
        }
    }

    /**
     * An interrupt as PT writes it (FUP at the instruction it came before, TIP to the handler), put
     * right after a PSB+ where the execution stood at the PSB's FUP ip: the open segment ends there
     * with END_INTERRUPT and the handler as target; tracing then goes off at the handler.
     */
    @Test
    void anInterruptEndsTheSegmentWithItsTarget() throws Exception {
        long handler = t.steps[0];
        for (int psb : t.psbOffsets().subList(1, t.psbOffsets().size())) {
            int end = psbEnd(psb);
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            b.write(t.trace, 0, end);
            long from = fupIp(psb, end);
            ip(b, 0x7d, from);    // FUP, 48-bit sign-extended ip
            ip(b, 0x6d, handler); // TIP
            ip(b, 0x7d, handler); // FUP + TIP.PGD (ip suppressed): tracing off at the handler
            b.write(0x01);
            try (PtImage image = t.image()) {
                long[] ips = new long[t.instructions()];
                PtDecodeResult r = PtDecoder.decode(image, ByteBuffer.wrap(b.toByteArray()), PtCpu.unknown(), 10_000_000, 10_000, ips);
                int n = (int) r.instructions;
                assertEquals(0, r.errors, r::toString);
                assertTrue(n > 0 && t.steps[n] == from, "decoded up to the interrupted instruction: " + r);
                assertArrayEquals(Arrays.copyOf(t.steps, n), Arrays.copyOf(ips, n));
                int kind = t.kinds[n - 1];
                if (kind >= PtDecodeTraces.JUMP) {
                    continue; // a branch closed the segment right before: no open segment to end
                }
                PtSegment last = r.segments.get(r.segments.size() - 1);
                assertEquals(PtSegment.END_INTERRUPT, last.end, last::toString);
                assertEquals(handler, last.target, last::toString);
                assertEquals(t.steps[n - 1], last.lastIp, last::toString);
                return;
            }
        }
        throw new AssertionError("no PSB where the execution stood between branches");
    }

    /** The offset after the PSBEND (02 23) of the PSB+ at psb. */
    int psbEnd(int psb) {
        for (int i = psb + 16; i + 1 < t.trace.length; i++) {
            if (t.trace[i] == 0x02 && t.trace[i + 1] == 0x23) {
                return i + 2;
            }
        }
        throw new AssertionError("no PSBEND after " + psb);
    }

    /** The ip of the FUP (0x7d + 6 bytes) inside the PSB+ [psb, end). */
    long fupIp(int psb, int end) {
        for (int i = psb + 16; i + 7 <= end; i++) {
            if ((t.trace[i] & 0xff) == 0x7d) {
                long ip = 0;
                for (int k = 6; k >= 1; k--) {
                    ip = (ip << 8) | (t.trace[i + k] & 0xff);
                }
                return (ip << 16) >> 16;
            }
        }
        throw new AssertionError("no FUP in the PSB+ at " + psb);
    }

    static void ip(ByteArrayOutputStream b, int header, long ip) {
        b.write(header);
        for (int k = 0; k < 6; k++) {
            b.write((int) (ip >>> (8 * k)) & 0xff);
        }
    }

    @Test
    void aTraceCutAtTheStartResumesAtTheNextPsb() throws Exception {
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
