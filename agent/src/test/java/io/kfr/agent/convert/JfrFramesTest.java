package io.kfr.agent.convert;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** How kfr's JFR frames become profile frames: kind, readable name, system name, mapping. */
class JfrFramesTest {
    @Test
    void javaFramesAreQualifiedWithTheirLine() {
        Frame f = JfrFrames.of("java.lang.Thread", "sleep", "(J)V", "JIT compiled", 540);
        assertEquals(new Frame(Frame.Kind.JAVA, "java.lang.Thread.sleep", "java.lang.Thread.sleep(J)V", 540, ""), f);
        assertEquals("java.lang.Thread.sleep:540", f.text());
    }

    @Test
    void nativeJavaMethodsAreJavaLibraryFunctionsAreNot() {
        assertEquals(Frame.Kind.JAVA, JfrFrames.of("sun.nio.ch.FileDispatcherImpl", "force0", "(Ljava/io/FileDescriptor;Z)I",
                "Native", 0).kind());
        Frame libc = JfrFrames.of("libc.so.6", "__futex_abstimed_wait_common", "()V", "Native", 0);
        assertEquals(new Frame(Frame.Kind.NATIVE, "__futex_abstimed_wait_common", "", 0, "libc.so.6"), libc);
    }

    @Test
    void cppIsDemangledWithTheSymbolKept() {
        Frame f = JfrFrames.of("libjvm.so", "_ZN20G1ParScanThreadState23trim_queue_to_thresholdEj", "()V", "C++", 0);
        assertEquals("G1ParScanThreadState::trim_queue_to_threshold", f.name());
        assertEquals("_ZN20G1ParScanThreadState23trim_queue_to_thresholdEj", f.systemName());
        assertEquals("libjvm.so", f.library());
    }

    @Test
    void kernelFramesMapToTheKernel() {
        assertEquals(new Frame(Frame.Kind.KERNEL, "futex_wait", "", 0, "[kernel.kallsyms]"),
                JfrFrames.of("kernel", "futex_wait", "()V", "Kernel", 0));
    }

    @Test
    void hiddenClassesLoseTheirPerRunSuffix() {
        assertEquals("app.Main$$Lambda.run", JfrFrames.stableLambda("app.Main$$Lambda$122+0x00007f0bb80c92e0.run"));
        assertEquals("app.Main$$Lambda.run", JfrFrames.stableLambda("app.Main$$Lambda/0x000001b6c1003200.run"));
        assertEquals("app.Main.lambda$main$0", JfrFrames.stableLambda("app.Main.lambda$main$0"));
        assertEquals("java.lang.invoke.LambdaForm$MH.invoke",
                JfrFrames.stableLambda("java.lang.invoke.LambdaForm$MH+0x0000000069040000.invoke"));
    }
}
