package io.kfr.collectors.hotspot;

import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UnloadedClassesTest {
    /** Loaded in a loader of its own, then dropped: the GC unloads it. */
    public static final class Throwaway {
    }

    @Test
    void countsWhatTheJvmSaysItUnloaded() throws Exception {
        UnloadedClasses unloaded = UnloadedClasses.open();
        assertTrue(unloaded.fromPerfData(), "this JVM's /tmp/hsperfdata file is read");
        long before = ManagementFactory.getClassLoadingMXBean().getUnloadedClassCount();
        assertEquals(before, unloaded.count());
        loadAndDrop();
        for (int i = 0; i < 20 && ManagementFactory.getClassLoadingMXBean().getUnloadedClassCount() == before; i++) {
            System.gc();
            Thread.sleep(50);
        }
        long after = ManagementFactory.getClassLoadingMXBean().getUnloadedClassCount();
        assertTrue(after > before, "the GC unloaded the throwaway class");
        assertEquals(after, unloaded.count());
    }

    @Test
    void aFileOfAnEarlierProcessWithThisPidIsNotTrusted() {
        long start = 1_000_000_000_000L;
        assertTrue(UnloadedClasses.ours(start + 150, start));
        assertFalse(UnloadedClasses.ours(start - 3_600_000, start));
        assertFalse(UnloadedClasses.ours(start + 3_600_000, start));
    }

    @Test
    void notAPerfDataFile() {
        assertEquals(null, UnloadedClasses.find(java.nio.ByteBuffer.allocate(64)));
    }

    private static void loadAndDrop() throws Exception {
        String name = Throwaway.class.getName();
        byte[] bytes;
        try (InputStream in = Throwaway.class.getResourceAsStream("/" + name.replace('.', '/') + ".class")) {
            bytes = in.readAllBytes();
        }
        ClassLoader loader = new ClassLoader(null) {
            @Override
            protected Class<?> findClass(String n) throws ClassNotFoundException {
                if (n.equals(name)) {
                    return defineClass(n, bytes, 0, bytes.length);
                }
                throw new ClassNotFoundException(n);
            }
        };
        Class<?> c = loader.loadClass(name);
        assertEquals(loader, c.getClassLoader());
    }
}
