package io.kfr.collectors.pt;

import io.kfr.collectors.CollectorException;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The PT perf path against the running kernel: the refusal where there is no intel_pt PMU, the
 * format parser on real PMUs' format files, and the per-thread open + data mmap + AUX mmap on a PMU
 * the kernel has (the software PMU: it opens and maps, and refuses the AUX area, as the kernel does
 * for every PMU without a hardware tracer). Where intel_pt exists, the session must open instead.
 */
class PtPerfSessionTest {
    private static final String DEVICES = "/sys/bus/event_source/devices/";

    @Test
    void intelPtOpensWhereItExistsAndIsOneLineWithItsFixWhereNot() throws Exception {
        assertNull(PtPerfNative.load());
        PtPerfConfig config = PtPerfConfig.defaults().withBufferBytes(64 << 10);
        if (Files.isDirectory(Path.of(PtPerfSession.SYSFS))) {
            try (PtPerfSession s = PtPerfSession.open(PtPerfSession.SYSFS, config, 0)) {
                assertTrue(s.threads().length > 0);
            }
            return;
        }
        CollectorException e = assertThrows(CollectorException.class,
                () -> PtPerfSession.open(PtPerfSession.SYSFS, config, 0));
        String line = e.getMessage();
        assertFalse(line.contains("\n"), line);
        assertTrue(line.startsWith("pt: no Intel PT on this machine (" + PtPerfSession.SYSFS + " missing)"), line);
        assertTrue(line.contains("CONFIG_PERF_EVENTS_INTEL_PT") && line.contains("hypervisor"), line);
        assertTrue(PtPerfSession.describePmu(PtPerfSession.SYSFS).startsWith("!no Intel PT"));
    }

    @Test
    void formatTermsOfRealPmusParse() throws Exception {
        assertNull(PtPerfNative.load());
        // the kernel's own files: uprobe's retprobe is "config:0", ref_ctr_offset "config:32-63"
        Path uprobe = Path.of(DEVICES + "uprobe");
        if (Files.isDirectory(uprobe.resolve("format"))) {
            assertArrayEquals(expected(uprobe, "retprobe"), PtPerfNative.formatField(uprobe.toString(), "retprobe"));
            assertArrayEquals(expected(uprobe, "ref_ctr_offset"),
                    PtPerfNative.formatField(uprobe.toString(), "ref_ctr_offset"));
            assertArrayEquals(new int[] {0, 32, 63}, PtPerfNative.formatField(uprobe.toString(), "ref_ctr_offset"));
        }
        assertNull(PtPerfNative.formatField(uprobe.toString(), "tsc"), "a term the PMU does not have");
        String software = PtPerfSession.describePmu(DEVICES + "software");
        assertEquals("type=" + Files.readString(Path.of(DEVICES + "software/type")).trim() + " ranges=-1", software);
    }

    /** What the file says, parsed here independently: "config:<lo>[-<hi>]". */
    private static int[] expected(Path pmu, String term) throws Exception {
        String s = Files.readString(pmu.resolve("format").resolve(term)).trim();
        String[] bits = s.substring(s.indexOf(':') + 1).split("-");
        int lo = Integer.parseInt(bits[0]);
        return new int[] {0, lo, bits.length > 1 ? Integer.parseInt(bits[1]) : lo};
    }

    @Test
    void perThreadOpenAndMapsReachTheKernelsAuxRefusalOnAPmuWithoutAuxArea() throws Exception {
        assertNull(PtPerfNative.load());
        // the same open (pid = tid, cpu = -1), data mmap and read-only AUX mmap as for intel_pt, on the
        // software PMU (config 0 = cpu-clock): the kernel opens the event and maps its ring, and
        // refuses the AUX area (EOPNOTSUPP: no AUX support), so no thread can be traced
        CollectorException e = assertThrows(CollectorException.class, () -> PtPerfSession.open(DEVICES + "software",
                PtPerfConfig.defaults().withBufferBytes(64 << 10), 0));
        String line = e.getMessage();
        assertTrue(line.startsWith("pt: no thread could be traced: mmap of thread "), line);
        assertTrue(line.contains("AUX area (64 KB, read-only = snapshot mode) failed: Operation not supported"), line);
        assertTrue(line.endsWith("this PMU has no AUX area (only a hardware tracer such as intel_pt has one)"), line);
    }

    @Test
    void theSnapshotCopiesTheNewestBytesOldestFirst() {
        assertNull(PtPerfNative.load());
        ByteBuffer ring = ByteBuffer.allocateDirect(16);
        ByteBuffer dst = ByteBuffer.allocateDirect(16);
        // not wrapped: bytes 1..5 written at 0..4, head 5, the rest still zero
        for (int i = 0; i < 5; i++) {
            ring.put(i, (byte) (i + 1));
        }
        assertEquals(5, PtPerfNative.ringCopy(ring, 5, dst));
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5}, bytes(dst, 5));
        // wrapped (head past the size): byte i of the ring was written at offset 16 + i for i < 5
        for (int i = 5; i < 16; i++) {
            ring.put(i, (byte) (i + 1));
        }
        assertEquals(16, PtPerfNative.ringCopy(ring, 21, dst));
        assertArrayEquals(new byte[] {6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 1, 2, 3, 4, 5}, bytes(dst, 16));
        // a head the kernel published modulo the size: the written tail says it wrapped
        assertEquals(16, PtPerfNative.ringCopy(ring, 5, dst));
        assertArrayEquals(new byte[] {6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 1, 2, 3, 4, 5}, bytes(dst, 16));
        // a smaller destination keeps the newest bytes
        ByteBuffer small = ByteBuffer.allocateDirect(4);
        assertEquals(4, PtPerfNative.ringCopy(ring, 21, small));
        assertArrayEquals(new byte[] {2, 3, 4, 5}, bytes(small, 4));
    }

    @Test
    void theCodeHeapFilterCoversThisJvmsJitCode() throws Exception {
        PtPerfCodeHeap heap = PtPerfCodeHeap.ofThisProcess();
        assertNotNull(heap, "no anonymous executable mapping in this JVM");
        assertTrue(heap.end > heap.start);
        assertTrue(heap.filter().matches("filter 0x[0-9a-f]+/0x[0-9a-f]+"), heap.filter());
        // a made-up maps text would prove nothing about HotSpot; the parser's rule on a file-backed
        // executable mapping between anonymous ones is checked on the shape /proc gives
        PtPerfCodeHeap two = PtPerfCodeHeap.of(java.util.List.of(
                "7f0000000000-7f0000001000 rwxp 00000000 00:00 0 ",
                "7f0000001000-7f0000100000 ---p 00000000 00:00 0 ",
                "7f0000100000-7f0000200000 r-xp 00000000 08:01 1234 /usr/lib/libc.so.6"));
        assertEquals(0x7f0000000000L, two.start);
        assertEquals(0x7f0000100000L, two.end);
    }

    private static byte[] bytes(ByteBuffer b, int n) {
        byte[] out = new byte[n];
        for (int i = 0; i < n; i++) {
            out[i] = b.get(i);
        }
        return out;
    }
}
