package io.kfr.collectors.pt;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Decoding with the sideband's times over a synthesized trace with real TSC packets (pt_target,
 * single-stepped): code replaced after the trace's time stops the decoder, counted, with no
 * instruction decoded from the new bytes; code freed since is decoded over the version the sideband
 * kept, exactly as recorded.
 */
class PtSidebandDecodeTest {
    static final String CHANGED = PtStops.CODE_CHANGED;

    @TempDir
    static Path dir;
    static PtDecodeTraces t;
    static long codeAddress;
    static byte[] code;
    /** Other bytes at pt_target's address: the code that replaced it (its callee's code shifted over its start). */
    static byte[] replaced;

    @BeforeAll
    static void synthesize() throws Exception {
        assertNull(PtNative.load());
        t = PtDecodeTraces.nativeTarget(dir, 160, 256); // PSBs enough to change the code between two
        String[] f = t.imageLines.stream().filter(l -> l.endsWith("/pt_target")).findFirst().orElseThrow().split(" ", 5);
        codeAddress = Long.parseUnsignedLong(f[1], 16);
        code = new byte[Integer.parseInt(f[2])];
        try (RandomAccessFile file = new RandomAccessFile(f[4], "r")) {
            file.seek(Long.parseLong(f[3]));
            file.readFully(code);
        }
        int work = (int) (t.steps[0] - codeAddress);
        int other = (int) (t.steps[firstCall() + 1] - codeAddress);
        replaced = code.clone();
        System.arraycopy(code, other, replaced, work, Math.min(0xc0, code.length - Math.max(other, work)));
        assertTrue(t.tscFirst != 0 && Long.compareUnsigned(t.tscFirst, t.tscLast) < 0, "the trace has times");
        assertTrue(t.psbOffsets().size() >= 6, "PSBs: " + t.psbOffsets().size());
    }

    static int firstCall() {
        for (int i = 0; i < t.kinds.length; i++) {
            if (t.kinds[i] == PtDecodeTraces.CALL) {
                return i;
            }
        }
        throw new AssertionError("no call");
    }

    /** The image of the trace with pt_target's code left out: the tests add it as the sideband would. */
    static PtImage imageWithoutTarget() throws Exception {
        PtImage image = PtImage.empty();
        for (String line : t.imageLines) {
            String[] f = line.split(" ", 5);
            if (f[0].equals("file") && !f[4].endsWith("/pt_target")) {
                image.addFile(f[4], Long.parseLong(f[3]), Long.parseLong(f[2]), Long.parseUnsignedLong(f[1], 16));
            } else if (f[0].equals("code")) {
                image.addCode(Long.parseUnsignedLong(f[1], 16), Files.readAllBytes(t.dir.resolve(f[2])), f[2]);
            }
        }
        return image;
    }

    static PtDecodeResult decode(PtImage image, long[] ips) {
        return PtDecoder.decode(image, ByteBuffer.wrap(t.trace), PtCpu.unknown(), 1_000_000, 5_000, ips);
    }

    static boolean inTarget(long ip) {
        return ip - codeAddress >= 0 && ip - codeAddress < code.length;
    }

    @Test
    void codeReplacedAfterTheTraceStopsWithNoInstructionFromTheNewBytes() throws Exception {
        try (PtImage image = imageWithoutTarget()) {
            image.addCode(codeAddress, replaced, "[code heap] at snapshot");
            image.addChange(codeAddress, code.length, t.tscLast + 1_000);
            long[] ips = new long[t.instructions() + 16];
            PtDecodeResult r = decode(image, ips);
            // what it decodes is libc's code, from a PSB taken there, up to the return into pt_target
            for (int i = 0; i < r.instructions; i++) {
                assertTrue(!inTarget(ips[i]), "an instruction decoded from the new bytes: " + Long.toHexString(ips[i]));
            }
            assertTrue(r.instructions < t.instructions() / 4, r::toString);
            int stops = r.stops.getOrDefault(CHANGED, 0);
            assertTrue(stops >= 1 && stops <= t.psbOffsets().size(), "at most one stop per PSB it resumed at: " + r);
            assertEquals(Set.of(CHANGED), r.stops.keySet(), r::toString);
            assertEquals(stops, r.errors, r::toString);
        }
        // without the change, the same image decodes the wrong bytes into an error elsewhere (the
        // point of the sideband: that error would not say why, and could come late)
        try (PtImage image = imageWithoutTarget()) {
            image.addCode(codeAddress, replaced, "[code heap] at snapshot");
            PtDecodeResult r = decode(image, new long[t.instructions() + 16]);
            assertTrue(!r.stops.containsKey(CHANGED) && r.errors > 0, r::toString);
        }
    }

    @Test
    void aChangeInTheMiddleStopsBeforeItAndDecodesTheRecordedInstructionsAfter() throws Exception {
        long[] psbTsc = t.psbTscs();
        int k = psbTsc.length / 2;
        try (PtImage image = imageWithoutTarget()) {
            image.addCode(codeAddress, code, "[code heap] at snapshot");
            image.addChange(codeAddress, code.length, psbTsc[k]); // compiled as the trace reached PSB k
            long[] ips = new long[t.instructions() + 16];
            PtDecodeResult r = decode(image, ips);
            int stops = r.stops.getOrDefault(CHANGED, 0);
            assertTrue(stops >= 1 && stops <= k, "stops only before PSB " + k + ": " + r);
            assertEquals(Set.of(CHANGED), r.stops.keySet(), r::toString);
            int n = (int) r.instructions;
            int first = 0;
            while (first < n && !inTarget(ips[first])) {
                first++;
            }
            int tail = n - first;
            assertTrue(tail > 0 && tail < t.instructions() - t.instructions() / 4, r::toString);
            assertArrayEquals(Arrays.copyOfRange(t.steps, t.instructions() - tail, t.instructions()), Arrays.copyOfRange(ips, first, n),
                    "pt_target's code decoded from PSB " + k + " on only, as recorded");
        }
    }

    @Test
    void codeFreedSinceDecodesExactlyOverItsKeptVersion() throws Exception {
        try (PtImage image = imageWithoutTarget()) {
            // the snapshot finds other code there; the sideband kept the freed code's bytes, loaded
            // before the trace and unloaded after it, and the new code's load after that
            image.addCode(codeAddress, replaced, "[code heap] at snapshot");
            image.addVersion(codeAddress, code, t.tscFirst - 1_000, t.tscLast + 1_000);
            image.addChange(codeAddress, code.length, t.tscLast + 1_000);
            image.addChange(codeAddress, code.length, t.tscLast + 2_000);
            PtJitDecodeTest.assertDecodesExactly(t, image);
        }
        try (PtImage image = imageWithoutTarget()) { // a version of another time does not apply
            image.addCode(codeAddress, replaced, "[code heap] at snapshot");
            image.addVersion(codeAddress, code, t.tscLast + 1_000, t.tscLast + 2_000);
            image.addChange(codeAddress, code.length, t.tscLast + 2_000);
            PtDecodeResult r = decode(image, new long[t.instructions() + 16]);
            assertEquals(0, r.instructions, r::toString);
            assertEquals(Set.of(CHANGED), r.stops.keySet(), r::toString);
        }
        try (PtImage image = imageWithoutTarget()) { // freed, not reused: only the version has bytes there
            image.addVersion(codeAddress, code, 0, t.tscLast + 1_000);
            image.addChange(codeAddress, code.length, t.tscLast + 1_000);
            PtJitDecodeTest.assertDecodesExactly(t, image);
        }
    }
}
