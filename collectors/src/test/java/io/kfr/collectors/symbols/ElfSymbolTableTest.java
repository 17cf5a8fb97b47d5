package io.kfr.collectors.symbols;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Real libraries of this machine, checked against readelf. */
class ElfSymbolTableTest {

    @Test
    void libcFunctionsByValue() throws Exception {
        Path libc = Libraries.mapped("libc.so.6");
        assertNotNull(libc, "libc.so.6 is mapped in this JVM");
        ElfSymbolTable t = ElfSymbolTable.load(libc);
        long nanosleep = ElfSymbolTable.symbolValue(libc, "nanosleep");
        assertTrue(nanosleep > 0);
        assertEquals("nanosleep", t.lookup(nanosleep), "nanosleep, not its alias __nanosleep");
        assertEquals("nanosleep", t.lookup(nanosleep + 1));
        assertEquals("getpid", t.lookup(ElfSymbolTable.symbolValue(libc, "getpid")));
        assertEquals(nanosleep, t.fileOffsetToVaddr(t.vaddrToFileOffset(nanosleep)));
        crossCheck(libc, t);
    }

    @Test
    void libcDebugFileAddsLocalSymbols() throws Exception {
        Path libc = Libraries.mapped("libc.so.6");
        ElfSymbolTable t = ElfSymbolTable.load(libc);
        assumeTrue(t.debugFile() != null, "no libc6-dbg installed");
        assertTrue(t.debugFile().toString().startsWith("/usr/lib/debug/.build-id/"), t.debugFile().toString());
        // a static function: only in the debug file's .symtab; the frame DESIGN.md says FP stacks end in
        long futex = ElfSymbolTable.symbolValue(libc, "__futex_abstimed_wait_common");
        assertTrue(futex > 0);
        assertEquals("__futex_abstimed_wait_common", t.lookup(futex + 5));
        // a symbol without size: the nearest preceding one owns what follows it
        long restore = ElfSymbolTable.symbolValue(libc, "__restore_rt");
        assumeTrue(restore > 0);
        assertEquals("__restore_rt", t.lookup(restore + 3));
        int without = ElfSymbolTable.load(libc, null).size();
        assertTrue(t.size() > without + 500, "debug symbols are merged in: " + t.size() + " vs " + without);
    }

    @Test
    void libzAgainstReadelf() throws Exception {
        assumeTrue(Files.exists(Libraries.LIBZ));
        ElfSymbolTable t = ElfSymbolTable.load(Libraries.LIBZ);
        assertEquals("inflate", t.lookup(ElfSymbolTable.symbolValue(Libraries.LIBZ, "inflate")));
        assertEquals("deflate", t.lookup(ElfSymbolTable.symbolValue(Libraries.LIBZ, "deflate") + 100));
        crossCheck(Libraries.LIBZ, t);
        // right after a sized function, before the next one: no name (never the wrong one)
        assumeTrue(ReadElf.available());
        List<ReadElf.Func> funcs = new ArrayList<>(ReadElf.functions(Libraries.LIBZ, true));
        funcs.sort(Comparator.comparingLong(ReadElf.Func::value));
        int gaps = 0;
        for (int i = 0; i + 1 < funcs.size(); i++) {
            ReadElf.Func f = funcs.get(i);
            long end = f.value() + f.size();
            if (f.size() > 0 && end < funcs.get(i + 1).value() && !inside(funcs, end)) {
                assertNull(t.lookup(end), f.name() + " ends at " + Long.toHexString(end));
                gaps++;
            }
        }
        assertTrue(gaps > 0, "libz has padding between functions");
    }

    @Test
    void libjvmKeepsMangledNames() throws Exception {
        Path libjvm = Libraries.libjvm();
        ElfSymbolTable.load(libjvm); // warm-up
        long t0 = System.nanoTime();
        ElfSymbolTable t = ElfSymbolTable.load(libjvm);
        System.out.printf("[measure] %s: %d functions loaded in %.1f ms (debug file: %s)%n",
                libjvm, t.size(), (System.nanoTime() - t0) / 1e6, t.debugFile());
        long v = ElfSymbolTable.symbolValue(libjvm, "JVM_CurrentTimeMillis");
        assertEquals("JVM_CurrentTimeMillis", t.lookup(v));
        assertEquals("JVM_CurrentTimeMillis", t.lookup(v + 1));
        assertTrue(ElfSymbolTable.symbolValue(libjvm, "gHotSpotVMStructs") > 0, "data symbols for the VMStructs reader");
        long threadsAdd = ElfSymbolTable.symbolValue(libjvm, "_ZN7Threads3addEP10JavaThreadb");
        assumeTrue(threadsAdd > 0, "this libjvm has no .symtab");
        assertEquals("_ZN7Threads3addEP10JavaThreadb", t.lookup(threadsAdd + 2));
        crossCheck(libjvm, t);
    }

    @Test
    void notElf() {
        assertThrows(IOException.class, () -> ElfSymbolTable.load(Path.of(System.getProperty("java.home"), "release")));
        assertThrows(IOException.class, () -> ElfSymbolTable.load(Path.of("/nonexistent/libnothing.so")));
    }

    /**
     * Every sized function readelf lists (file and debug file) resolves, at its start, to one of
     * the names at that address, and its last byte resolves to some name.
     */
    private static void crossCheck(Path file, ElfSymbolTable t) throws Exception {
        if (!ReadElf.available()) return;
        List<ReadElf.Func> funcs = new ArrayList<>(ReadElf.functions(file, true));
        if (t.debugFile() != null) funcs.addAll(ReadElf.functions(t.debugFile(), true));
        Map<Long, Set<String>> names = ReadElf.namesByValue(funcs);
        Set<Long> seen = new HashSet<>();
        for (ReadElf.Func f : funcs) {
            if (f.size() == 0 || !seen.add(f.value())) continue;
            String got = t.lookup(f.value());
            assertTrue(names.get(f.value()).contains(got),
                    file + ": " + got + " at " + Long.toHexString(f.value()) + ", expected one of " + names.get(f.value()));
            assertNotNull(t.lookup(f.value() + f.size() - 1), f.name());
        }
        assertTrue(seen.size() > 10, file + ": checked " + seen.size());
    }

    private static boolean inside(List<ReadElf.Func> funcs, long addr) {
        for (ReadElf.Func f : funcs) {
            if (addr >= f.value() && addr - f.value() < Math.max(1, f.size())) return true;
        }
        return false;
    }
}
