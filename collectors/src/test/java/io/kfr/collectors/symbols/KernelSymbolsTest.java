package io.kfr.collectors.symbols;

import io.kfr.collectors.Frame;
import io.kfr.collectors.FrameType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Against this machine's /proc/kallsyms (the tests run as root, so addresses are visible). */
class KernelSymbolsTest {
    private static KernelSymbols kernel;
    private static Map<String, Long> byName; // the text symbols, read independently of the parser

    @BeforeAll
    static void load() throws IOException {
        KernelSymbols.load(); // warm-up: the second load is what a JIT-compiled agent pays
        long t0 = System.nanoTime();
        kernel = KernelSymbols.load();
        System.out.printf("[measure] /proc/kallsyms: %d symbols loaded in %.1f ms%n",
                kernel.size(), (System.nanoTime() - t0) / 1e6);
        byName = new HashMap<>();
        for (String line : Files.readAllLines(Path.of("/proc/kallsyms"))) {
            String[] f = line.split("\\s+");
            if (f.length >= 3 && "tTwW".indexOf(f[1].charAt(0)) >= 0) {
                byName.putIfAbsent(f[2], Long.parseUnsignedLong(f[0], 16));
            }
        }
        assumeTrue(kernel.available(), () -> "kernel symbols unavailable: " + kernel.unavailableReason());
    }

    @Test
    void resolvesKnownFunctionsAtTheirAddressAndInside() {
        for (String name : new String[] {"schedule", "do_nanosleep", "__x64_sys_nanosleep"}) {
            Long addr = byName.get(name);
            assertNotNull(addr, name + " in /proc/kallsyms");
            Frame at = kernel.resolve(addr);
            assertEquals(name, at.method());
            assertEquals(FrameType.KERNEL, at.type());
            assertEquals("kernel", at.owner());
            assertSame(at, kernel.resolve(addr + 1), "same symbol gives the same Frame instance");
            assertEquals(name, kernel.name(addr + 1));
        }
    }

    @Test
    void addressesOutsideKernelTextAreUnknown() {
        long before = kernel.unknownFrames();
        assertEquals(FrameType.UNKNOWN, kernel.resolve(0).type());
        assertEquals(FrameType.UNKNOWN, kernel.resolve(0x7f0000001000L).type(), "a user address");
        assertEquals(FrameType.UNKNOWN, kernel.resolve(-1L).type(), "past the last symbol");
        Long etext = byName.get("_etext");
        if (etext != null && byName.values().stream().noneMatch(a -> a > etext && a <= etext + 64)) {
            assertNull(kernel.name(etext + 64), "after the end of kernel text, before the next symbol");
        }
        assertTrue(kernel.unknownFrames() >= before + 3);
    }

    @Test
    void everyAddressNamesASymbolAtThatAddress() {
        // aliases share an address: whichever name is chosen must be one of the symbols there
        Map<Long, java.util.Set<String>> at = new HashMap<>();
        byName.forEach((n, a) -> at.computeIfAbsent(a, k -> new java.util.HashSet<>()).add(n));
        int checked = 0;
        for (Map.Entry<Long, java.util.Set<String>> e : at.entrySet()) {
            String got = kernel.name(e.getKey());
            // BPF programs come and go between the two reads of /proc/kallsyms (any process on
            // the host may load or unload one); a JIT image's address may be reused by another
            if (got != null && !got.startsWith("bpf_prog_") && e.getValue().stream().noneMatch(n -> n.startsWith("bpf_prog_"))) {
                assertTrue(e.getValue().contains(got), got + " at " + Long.toHexString(e.getKey()));
                checked++;
            }
        }
        assertTrue(checked > 10_000, "checked " + checked);
    }

    @Test
    void hiddenAddressesGiveAReasonAndUnknownFrames() throws IOException {
        // What an unprivileged reader sees under kptr_restrict: the same file with zero addresses.
        String zeroed = Files.readString(Path.of("/proc/kallsyms")).replaceAll("(?m)^[0-9a-f]{16}", "0000000000000000");
        byte[] bytes = zeroed.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        KernelSymbols hidden = KernelSymbols.parse(bytes, bytes.length);
        assertFalse(hidden.available());
        assertTrue(hidden.unavailableReason().contains("kptr_restrict"), hidden.unavailableReason());
        assertEquals(FrameType.UNKNOWN, hidden.resolve(byName.get("schedule")).type());
    }

    @Test
    void publicConstructorLoadsToo() {
        // sizes may differ by a few: BPF programs (bpf_prog_*) come and go in kallsyms
        assertEquals("schedule", new KernelSymbols().name(byName.get("schedule")));
    }
}
