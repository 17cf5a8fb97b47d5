package io.kfr.jmc.report;

import io.kfr.jmc.events.Frames;
import org.openjdk.jmc.common.IMCFrame;
import org.openjdk.jmc.common.IMCMethod;
import org.openjdk.jmc.common.util.FormatToolkit;

/**
 * The text of a frame in a flame graph. Java frames by JMC's own method formatting (class with
 * package, method, no argument types); kernel, library and libjvm frames, whose "class" in kfr's
 * stacks is the kernel or the library file, as {@code function [library]}, C++ symbols readable
 * as in the rules' texts ({@code JavaThread::run [libjvm.so]}). Lines and argument types are left
 * out on purpose: a flame graph merges a method's frames whatever line they were at.
 */
final class FrameLabel {
    private FrameLabel() {
    }

    static String of(IMCFrame frame) {
        IMCMethod method = frame.getMethod();
        if (method == null) {
            return "[unknown frame]";
        }
        String owner = Frames.owner(frame);
        if (!Frames.isJava(frame)) {
            String name = Frames.name(frame).isEmpty() ? "[unknown]" : Frames.functionName(frame);
            return owner.isEmpty() ? name : name + " [" + owner + "]";
        }
        String java = FormatToolkit.getHumanReadable(method, false, false, true, true, false, false);
        return java != null ? java : owner + "." + Frames.name(frame);
    }
}
