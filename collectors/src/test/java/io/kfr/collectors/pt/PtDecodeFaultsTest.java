package io.kfr.collectors.pt;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the decoder does with traces and images it cannot fully follow: it stops cleanly, counts the
 * reason, and keeps what it decoded before (the recorded instructions, never invented ones).
 */
class PtDecodeFaultsTest {
    @TempDir
    static Path dir;
    static PtDecodeTraces t;
    /** pt_target's code as mapped: address and bytes (from the file the synthesizer named). */
    static long codeAddress;
    static byte[] code;

    @BeforeAll
    static void synthesize() throws Exception {
        assertNull(PtNative.load());
        t = PtDecodeTraces.nativeTarget(dir, 40, 512);
        String[] f = t.imageLines.stream().filter(l -> l.endsWith("/pt_target")).findFirst().orElseThrow().split(" ", 5);
        assertEquals("file", f[0], "pt_target's code is a file mapping");
        codeAddress = Long.parseUnsignedLong(f[1], 16);
        code = new byte[Integer.parseInt(f[2])];
        try (RandomAccessFile file = new RandomAccessFile(f[4], "r")) {
            file.seek(Long.parseLong(f[3]));
            file.readFully(code);
        }
    }

    static PtDecodeResult decode(PtImage image, byte[] trace, long[] ips) {
        return PtDecoder.decode(image, ByteBuffer.wrap(trace), PtCpu.unknown(), 1_000_000, 2_000, ips);
    }

    /**
     * The decoded ips are the recorded ones from the start. Without the trace's last packets the
     * decoder goes on past the recording's end through the instructions that need no trace (a
     * direct call and its callee's first instructions here), as it would over a real snapshot.
     */
    static void assertPrefix(long[] ips, PtDecodeResult r, String what) {
        int n = (int) Math.min(r.instructions, t.instructions());
        assertTrue(r.instructions <= t.instructions() + 8, what + ": more instructions than ran: " + r);
        assertArrayEquals(Arrays.copyOf(t.steps, n), Arrays.copyOf(ips, n), what + ": decoded ips are the recorded ones");
    }

    @Test
    void aTraceCutAnywhereDecodesThePrefixAndCountsACutPacket() throws Exception {
        int midPacket = 0;
        try (PtImage image = t.image()) {
            long[] ips = new long[t.instructions() + 16];
            for (int cut = 0; cut < t.trace.length; cut++) {
                PtDecodeResult r = decode(image, Arrays.copyOf(t.trace, cut), ips);
                assertPrefix(ips, r, "cut at " + cut);
                assertFalse(r.truncated);
                midPacket += r.stops.getOrDefault("trace end mid-packet", 0);
            }
            // the last packets: FUP (7 bytes, 48-bit sign-extended ip), then TIP.PGD (1 byte)
            PtDecodeResult inFup = decode(image, Arrays.copyOf(t.trace, t.trace.length - 4), ips);
            assertEquals(1, inFup.stops.getOrDefault("trace end mid-packet", 0), inFup::toString);
            assertEquals(1, inFup.errors, inFup::toString);
        }
        assertTrue(midPacket > t.trace.length / 4, "most cuts fall inside a packet: " + midPacket);
    }

    @Test
    void anOverflowIsCountedAndDecodingGoesOnAtTheNextPsb() throws Exception {
        List<Integer> psbs = t.psbOffsets();
        int at = psbs.get(1);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(t.trace, 0, at);
        b.write(0x02); // OVF: the hardware lost trace here; it resumes with the PSB+ that follows
        b.write(0xf3);
        b.write(t.trace, at, t.trace.length - at);
        try (PtImage image = t.image()) {
            long[] ips = new long[t.instructions() + 16];
            PtDecodeResult r = decode(image, b.toByteArray(), ips);
            assertEquals(1, r.stops.getOrDefault("overflow", 0), r::toString);
            int n = (int) r.instructions;
            int head = 0;
            while (head < n && ips[head] == t.steps[head]) {
                head++;
            }
            int tail = n - head;
            assertTrue(head > 0 && tail > 0, "decoded before and after the overflow: " + r);
            assertArrayEquals(Arrays.copyOfRange(t.steps, t.instructions() - tail, t.instructions()),
                    Arrays.copyOfRange(ips, head, n), "after the overflow: the recorded instructions from the PSB on");
            assertTrue(r.segments.stream().anyMatch(s -> s.end == PtSegment.END_GAP && s != r.segments.get(r.segments.size() - 1)),
                    "the overflow ends a segment in a gap");
        }
    }

    @Test
    void codeMissingFromTheImageStopsAtItsAddress() throws Exception {
        int call = -1;
        for (int i = 0; i < t.instructions() && call < 0; i++) {
            call = t.kinds[i] == PtDecodeTraces.CALL ? i : -1;
        }
        long callee = t.steps[call + 1];
        int hole = (int) (callee - codeAddress);
        try (PtImage image = PtImage.empty()) { // the callee unloaded: its 16 bytes are not in the image
            image.addCode(codeAddress, Arrays.copyOf(code, hole), "before");
            image.addCode(callee + 16, Arrays.copyOfRange(code, hole + 16, code.length), "after");
            long[] ips = new long[t.instructions() + 16];
            PtDecodeResult r = decode(image, t.trace, ips);
            assertTrue(r.stops.getOrDefault("no code at ip", 0) >= 1, r::toString);
            assertTrue(r.errors >= 1, r::toString);
            assertArrayEquals(Arrays.copyOf(t.steps, call + 1), Arrays.copyOf(ips, call + 1), "decoded up to the call");
            assertTrue(r.instructions < t.instructions(), r::toString);
        }
        try (PtImage none = PtImage.empty()) {
            PtDecodeResult r = decode(none, t.trace, new long[16]);
            assertEquals(0, r.instructions, r::toString);
            assertTrue(r.stops.getOrDefault("no code at ip", 0) >= 1, r::toString);
        }
    }

    @Test
    void aWrongImageIsAStopNotAWrongPath() throws Exception {
        // another function's bytes where pt_target_work was: the callee's code, shifted over it
        int work = (int) (t.steps[0] - codeAddress);
        int other = (int) (t.steps[firstKind(PtDecodeTraces.CALL) + 1] - codeAddress);
        byte[] wrong = code.clone();
        System.arraycopy(code, other, wrong, work, Math.min(0xc0, code.length - Math.max(other, work)));
        try (PtImage image = PtImage.empty()) {
            image.addCode(codeAddress, wrong, "wrong");
            long[] ips = new long[t.instructions() + 16];
            PtDecodeResult r = decode(image, t.trace, ips);
            assertTrue(r.errors >= 1, r::toString);
            assertTrue(r.stops.keySet().stream().allMatch(k -> List.of("trace mismatch", "bad instruction", "no code at ip").contains(k)),
                    r::toString);
            assertFalse(r.instructions == t.instructions()
                    && Arrays.equals(Arrays.copyOf(t.steps, t.instructions()), Arrays.copyOf(ips, t.instructions())));
        }
    }

    static int firstKind(int kind) {
        for (int i = 0; i < t.kinds.length; i++) {
            if (t.kinds[i] == kind) {
                return i;
            }
        }
        throw new AssertionError("no instruction of kind " + kind);
    }

    @Test
    void garbageAndFlippedBitsNeverCrashAndStayInTheBudget() throws Exception {
        Random random = new Random(16);
        try (PtImage image = t.image()) {
            long[] ips = new long[16];
            for (int round = 0; round < 300; round++) {
                byte[] trace;
                if (round % 3 == 0) {
                    trace = new byte[1 + random.nextInt(4096)];
                    random.nextBytes(trace);
                } else {
                    trace = t.trace.clone();
                    for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
                        trace[random.nextInt(trace.length)] ^= (byte) (1 << random.nextInt(8));
                    }
                }
                PtDecodeResult r = PtDecoder.decode(image, ByteBuffer.wrap(trace), PtCpu.unknown(), 50_000, 500, ips);
                assertTrue(r.instructions <= 50_000, r::toString);
                assertEquals(r.truncated, r.stops.containsKey("budget"), r::toString);
            }
        }
    }
}
