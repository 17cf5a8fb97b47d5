package io.kfr.jmc.report;

import org.junit.jupiter.api.Test;
import org.openjdk.jmc.common.IMCFrame;
import org.openjdk.jmc.common.util.MCFrame;
import org.openjdk.jmc.common.util.MCMethod;
import org.openjdk.jmc.common.util.MethodToolkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Flame graph labels and colours of frames as kfr writes them (owner, name, descriptor and type as
 * jfr-bridge writes them), built with JMC's own frame classes.
 */
class FrameLabelTest {
    private static void assertNode(String label, FrameKind kind, String owner, String name, String descriptor,
                                   IMCFrame.Type type) {
        IMCFrame f = new MCFrame(new MCMethod(MethodToolkit.typeFromBinaryJLS(owner), name, descriptor, 0, false), -1,
                7, type);
        assertEquals(label, FrameLabel.of(f));
        assertEquals(kind, FrameKind.of(f), label);
    }

    @Test
    void cppSymbolsAreReadableWithTheirLibrary() {
        assertNode("thread_native_entry [libjvm.so]", FrameKind.CPP, "libjvm.so", "_ZL19thread_native_entryP6Thread",
                "()V", IMCFrame.Type.CPP);
        assertNode("G1ParScanThreadState::trim_queue_to_threshold [libjvm.so]", FrameKind.CPP, "libjvm.so",
                "_ZN20G1ParScanThreadState23trim_queue_to_thresholdEj", "()V", IMCFrame.Type.CPP);
    }

    @Test
    void kernelAndLibraryFunctionsKeepTheirNames() {
        assertNode("__schedule [kernel]", FrameKind.KERNEL, "kernel", "__schedule", "()V", IMCFrame.Type.KERNEL);
        assertNode("__futex_abstimed_wait_common [libc.so.6]", FrameKind.NATIVE, "libc.so.6",
                "__futex_abstimed_wait_common", "()V", IMCFrame.Type.NATIVE);
    }

    @Test
    void javaFramesByJmcsFormattingWithoutLinesNativeJavaMethodsIncluded() {
        assertNode("java.lang.Thread.sleep0(...)", FrameKind.NATIVE, "java.lang.Thread", "sleep0", "(J)V",
                IMCFrame.Type.NATIVE);
        assertNode("com.example.Worker.run()", FrameKind.JIT, "com.example.Worker", "run", "()V",
                IMCFrame.Type.JIT_COMPILED);
    }

    @Test
    void unnamedFramesAreUnknown() {
        assertNode("[unknown] [libfoo.so]", FrameKind.UNKNOWN, "libfoo.so", "[unknown]", "()V", IMCFrame.Type.NATIVE);
    }
}
