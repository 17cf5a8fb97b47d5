package io.kfr.collectors.symbols;

import io.kfr.collectors.Tids;

import io.kfr.collectors.Frame;
import io.kfr.collectors.FrameType;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** This JVM's own mappings: real libc, libjvm, code cache and vDSO. */
class ProcessMapsTest {

    @Test
    void libcFunctionAtItsRuntimeAddress() throws Exception {
        ProcessMaps maps = ProcessMaps.self();
        long addr = maps.addressOf("libc.so.6", "nanosleep");
        assertTrue(addr > 0);
        assertCodeMatchesFile(addr, Libraries.mapped("libc.so.6"), ElfSymbolTable.symbolValue(Libraries.mapped("libc.so.6"), "nanosleep"));
        Frame f = maps.resolve(addr);
        assertEquals(Frame.nativeCode("libc.so.6", "nanosleep", false), f);
        assertEquals(FrameType.NATIVE, f.type());
        assertSame(f, maps.resolve(addr + 1));
    }

    @Test
    void libjvmFunctionIsCpp() throws Exception {
        ProcessMaps maps = ProcessMaps.self();
        long addr = maps.addressOf("libjvm.so", "JVM_CurrentTimeMillis");
        assertTrue(addr > 0);
        assertCodeMatchesFile(addr, Libraries.libjvm(), ElfSymbolTable.symbolValue(Libraries.libjvm(), "JVM_CurrentTimeMillis"));
        Frame f = maps.resolve(addr + 1);
        assertEquals("libjvm.so", f.owner());
        assertEquals("JVM_CurrentTimeMillis", f.method());
        assertEquals(FrameType.CPP, f.type());
        long structs = maps.addressOf("libjvm.so", "gHotSpotVMStructs");
        ProcessMaps.Mapping m = maps.mapping(structs);
        assertNotNull(m);
        assertTrue(m.path().endsWith("/libjvm.so") && m.perms().startsWith("r"), m.toString());
    }

    /** A pc the kernel reports for a thread blocked in a syscall: an address nobody computed here. */
    @Test
    void blockedThreadPcResolvesIntoLibc() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        String[] tid = new String[1];
        Thread t = new Thread(() -> {
            try {
                tid[0] = String.valueOf(Tids.current());
                started.countDown();
                Thread.sleep(60_000);
            } catch (Exception e) {
                // interrupted: done
            }
        }, "kfr-maps-sleeper");
        t.setDaemon(true);
        t.start();
        try {
            assertTrue(started.await(10, TimeUnit.SECONDS));
            ProcessMaps maps = ProcessMaps.self();
            Frame f = null;
            for (int i = 0; i < 100; i++) { // until the thread is inside the futex wait
                String[] sc = Files.readString(Path.of("/proc/self/task/" + tid[0] + "/syscall")).trim().split(" ");
                if (sc.length == 9 && sc[0].equals("202")) {
                    f = maps.resolve(Long.parseUnsignedLong(sc[8].substring(2), 16));
                    break;
                }
                Thread.sleep(20);
            }
            assertNotNull(f, "thread never blocked in futex");
            assertEquals("libc.so.6", f.owner(), f.toString());
            if (ElfSymbolTable.load(Libraries.mapped("libc.so.6")).debugFile() != null) {
                assertTrue(f.method().contains("futex") || f.method().contains("syscall_cancel"), f.toString());
            }
        } finally {
            t.interrupt();
        }
    }

    @Test
    void jitUnmappedAndVdso() throws Exception {
        ProcessMaps maps = ProcessMaps.self();
        long before = maps.unknownFrames();
        assertEquals(Frame.unknown("[unmapped]"), maps.resolve(0x1000));
        long codeCache = -1;
        long vdsoStart = -1;
        long vdsoEnd = -1;
        for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
            String[] f = line.split("\\s+");
            long start = Long.parseUnsignedLong(f[0].substring(0, f[0].indexOf('-')), 16);
            if (f.length == 5 && f[1].contains("x") && codeCache < 0) codeCache = start;
            if (f.length == 6 && f[5].equals("[vdso]")) {
                vdsoStart = start;
                vdsoEnd = Long.parseUnsignedLong(f[0].substring(f[0].indexOf('-') + 1), 16);
            }
        }
        assumeTrue(codeCache > 0, "no anonymous executable mapping");
        assertEquals(Frame.unknown("[jit]"), maps.resolve(codeCache + 64));
        assertEquals(before + 2, maps.unknownFrames());

        assumeTrue(vdsoStart > 0);
        boolean clockGettime = false;
        for (long ip = vdsoStart; ip < vdsoEnd; ip += 4) {
            Frame f = maps.resolve(ip);
            if (f.type() == FrameType.NATIVE) {
                assertEquals("[vdso]", f.owner());
                clockGettime |= f.method().endsWith("clock_gettime");
            }
        }
        assertTrue(clockGettime, "the vDSO's clock_gettime is named");
    }

    @Test
    void libraryLoadedLaterIsFoundAfterARefresh() throws Exception {
        Path lib = Path.of(System.getProperty("java.home"), "lib", "libprefs.so");
        assumeTrue(Files.exists(lib) && Libraries.mapped("libprefs.so") == null, "libprefs.so not loadable or already loaded");
        ProcessMaps maps = new ProcessMaps(Path.of("/proc/self"), 0);
        System.load(lib.toString());
        long addr = ProcessMaps.self().addressOf("libprefs.so", "Java_java_util_prefs_FileSystemPreferences_chmod");
        assertTrue(addr > 0);
        assertEquals(Frame.nativeCode("libprefs.so", "Java_java_util_prefs_FileSystemPreferences_chmod", false),
                maps.resolve(addr));
    }

    @Test
    void constructorByPid() {
        ProcessMaps maps = new ProcessMaps((int) ProcessHandle.current().pid());
        assertTrue(maps.size() > 50);
        assertEquals("libc.so.6", maps.resolve(maps.addressOf("libc.so.6", "getpid")).owner());
    }

    /** The bytes at the runtime address are the bytes at the symbol's file offset: the mapping is right. */
    private static void assertCodeMatchesFile(long addr, Path file, long value) throws Exception {
        ElfSymbolTable t = ElfSymbolTable.load(file);
        long offset = t.vaddrToFileOffset(value);
        ByteBuffer inMemory = ByteBuffer.allocate(32);
        ByteBuffer inFile = ByteBuffer.allocate(32);
        try (FileChannel mem = FileChannel.open(Path.of("/proc/self/mem"), StandardOpenOption.READ);
             FileChannel f = FileChannel.open(file, StandardOpenOption.READ)) {
            assertEquals(32, mem.read(inMemory, addr));
            assertEquals(32, f.read(inFile, offset));
        }
        assertArrayEquals(inFile.array(), inMemory.array(), "code at 0x" + Long.toHexString(addr));
    }
}
