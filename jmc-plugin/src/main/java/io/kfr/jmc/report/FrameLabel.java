package io.kfr.jmc.report;

import org.openjdk.jmc.common.IMCFrame;
import org.openjdk.jmc.common.IMCMethod;
import org.openjdk.jmc.common.util.FormatToolkit;

/**
 * The text of a frame in a flame graph. Java frames by JMC's own method formatting (class with
 * package, method, no argument types); kernel and native frames, whose "class" in kfr's stacks is
 * the kernel or the library file, as {@code symbol [library]}. Lines are left out on purpose:
 * a flame graph merges a method's frames whatever line they were at.
 */
final class FrameLabel {
    private FrameLabel() {
    }

    static String of(IMCFrame frame, FrameKind kind) {
        IMCMethod method = frame.getMethod();
        if (method == null) {
            return "[unknown frame]";
        }
        String name = method.getMethodName() != null ? method.getMethodName() : "[unknown]";
        String owner = method.getType() != null ? method.getType().getFullName() : null;
        boolean javaNative = kind == FrameKind.NATIVE && owner != null && owner.contains(".") && !owner.contains(".so");
        if (kind == FrameKind.KERNEL || kind == FrameKind.CPP || (kind == FrameKind.NATIVE && !javaNative)) {
            return owner == null || owner.isEmpty() ? name : name + " [" + owner + "]";
        }
        String java = FormatToolkit.getHumanReadable(method, false, false, true, true, false, false);
        return java != null ? java : (owner == null ? "" : owner + ".") + name;
    }
}
