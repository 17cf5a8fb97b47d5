package io.kfr.collectors.hotspot;

import io.kfr.collectors.natives.KfrNative;
import io.kfr.collectors.natives.NativeLibrary;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The lookup behind the symbolizer's anchors (KfrNative.javaClassesOwning): the Method* of a real
 * compiled frame of this JVM, with the class name the symbolizer gives it, finds exactly that
 * class; the same name with another Method*, or the Method* with another name, finds none.
 */
class ClassesOwningTest {
    @Test
    void findsTheClassThatOwnsAMethodNow() throws Exception {
        assertNull(NativeLibrary.load());
        for (int i = 0; i < 200_000; i++) {
            DebugPointNamesTest.debugPointTarget(i);
        }
        long pc = DebugPointNamesTest.sampledPcIn("debugPointTarget");
        String names = KfrNative.javaNamesAtPc(pc);
        assertNotNull(names, "the sampled pc is in an nmethod");
        // debugPointTarget's own nmethod, or the spinning lambda's with it inlined (once the loop is compiled)
        String[] f = names.lines().map(l -> l.split("\t", -1))
                .filter(l -> l.length == 10 && l[7].equals("debugPointTarget")).findFirst().orElse(null);
        assertNotNull(f, "a scope of debugPointTarget at the sampled pc:\n" + names);
        long method = Long.parseUnsignedLong(f[9], 16);
        String owner = f[6];

        assertArrayEquals(new Class<?>[] {DebugPointNamesTest.class, null, null},
                KfrNative.javaClassesOwning(new String[] {owner, owner, ClassesOwningTest.class.getName()},
                        new long[] {method, method + 8, method}));
    }
}
