package io.kfr.jmc.report;

import org.junit.jupiter.api.Test;
import org.openjdk.jmc.common.IMCFrame;
import org.openjdk.jmc.common.util.MCFrame;
import org.openjdk.jmc.common.util.MCMethod;
import org.openjdk.jmc.common.util.MethodToolkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Flame graph labels and colours of frames as kfr writes them (owner, name and type as in jfr-bridge). */
class FrameLabelTest {
    private static IMCFrame frame(String owner, String name, String descriptor, IMCFrame.Type type) {
        return new MCFrame(new MCMethod(MethodToolkit.typeFromBinaryJLS(owner), name, descriptor, 0, false), -1, 7,
                type);
    }

    @Test
    void cppSymbolsAreReadableWithTheirLibrary() {
        IMCFrame entry = frame("libjvm.so", "_ZL19thread_native_entryP6Thread", "()V", IMCFrame.Type.CPP);
        assertEquals("thread_native_entry [libjvm.so]", FrameLabel.of(entry));
        assertEquals(FrameKind.CPP, FrameKind.of(entry));
        assertEquals("G1ParScanThreadState::trim_queue_to_threshold [libjvm.so]", FrameLabel.of(frame("libjvm.so",
                "_ZN20G1ParScanThreadState23trim_queue_to_thresholdEj", "()V", IMCFrame.Type.CPP)));
    }

    @Test
    void kernelAndLibraryFunctionsKeepTheirNames() {
        IMCFrame schedule = frame("kernel", "__schedule", "()V", IMCFrame.Type.KERNEL);
        assertEquals("__schedule [kernel]", FrameLabel.of(schedule));
        assertEquals(FrameKind.KERNEL, FrameKind.of(schedule));
        IMCFrame futex = frame("libc.so.6", "__futex_abstimed_wait_common", "()V", IMCFrame.Type.NATIVE);
        assertEquals("__futex_abstimed_wait_common [libc.so.6]", FrameLabel.of(futex));
        assertEquals(FrameKind.NATIVE, FrameKind.of(futex));
    }

    @Test
    void javaFramesByJmcsFormattingWithoutLinesNativeJavaMethodsIncluded() {
        IMCFrame sleep = frame("java.lang.Thread", "sleep0", "(J)V", IMCFrame.Type.NATIVE);
        assertEquals("java.lang.Thread.sleep0(...)", FrameLabel.of(sleep));
        assertEquals(FrameKind.NATIVE, FrameKind.of(sleep));
        IMCFrame run = frame("com.example.Worker", "run", "()V", IMCFrame.Type.JIT_COMPILED);
        assertEquals("com.example.Worker.run()", FrameLabel.of(run));
        assertEquals(FrameKind.JIT, FrameKind.of(run));
    }

    @Test
    void unnamedFramesAreUnknown() {
        IMCFrame unknown = frame("libfoo.so", "[unknown]", "()V", IMCFrame.Type.NATIVE);
        assertEquals("[unknown] [libfoo.so]", FrameLabel.of(unknown));
        assertEquals(FrameKind.UNKNOWN, FrameKind.of(unknown));
    }
}
