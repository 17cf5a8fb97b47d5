package io.kfr.jmc.events;

import org.openjdk.jmc.common.IMCFrame;
import org.openjdk.jmc.common.IMCStackTrace;

import java.util.List;

/**
 * What one of kfr's frames is, as JMC's parser presents it: kernel frames are typed Kernel (owner
 * "kernel"), native library frames Native with the library's file name as owner ("libc.so.6"),
 * libjvm's functions and VM stubs C++, Java frames Interpreted / JIT compiled / Inlined, and native
 * Java methods Native with a class as owner. An unnamed frame is "[unknown]" or "[java: reason]".
 * The rules and the report's flame graphs both read frames through this class.
 */
public final class Frames {
    private Frames() {
    }

    /** The frames of a stack, innermost first; none for a missing stack. */
    public static List<? extends IMCFrame> of(IMCStackTrace stack) {
        return stack == null || stack.getFrames() == null ? List.of() : stack.getFrames();
    }

    public static boolean isKernel(IMCFrame f) {
        return IMCFrame.Type.KERNEL.equals(f.getType());
    }

    /** The class of a Java frame, or the kernel or library file of a native one; "" if absent. */
    public static String owner(IMCFrame f) {
        return f.getMethod() == null || f.getMethod().getType() == null ? "" : f.getMethod().getType().getFullName();
    }

    /** The method or function name; "" if absent. */
    public static String name(IMCFrame f) {
        return f.getMethod() == null || f.getMethod().getMethodName() == null ? "" : f.getMethod().getMethodName();
    }

    /** A Java method's frame, native Java methods included (their owner is a class, not a file). */
    public static boolean isJava(IMCFrame f) {
        IMCFrame.Type t = f.getType();
        if (IMCFrame.Type.INTERPRETED.equals(t) || IMCFrame.Type.JIT_COMPILED.equals(t)
                || IMCFrame.Type.INLINED.equals(t)) {
            return true;
        }
        String owner = owner(f);
        return IMCFrame.Type.NATIVE.equals(t) && owner.contains(".") && !isLibrary(owner) && !isUnknown(f);
    }

    /** A Java method declared native (Thread.sleep0, Unsafe.park, FileDispatcherImpl.force0). */
    public static boolean isNativeJava(IMCFrame f) {
        return IMCFrame.Type.NATIVE.equals(f.getType()) && isJava(f);
    }

    public static boolean isUnknown(IMCFrame f) {
        String n = name(f);
        return n.equals("[unknown]") || n.startsWith("[java:");
    }

    /** A shared library's file name as owner: libc.so.6, libjvm.so, [vdso]. */
    static boolean isLibrary(String owner) {
        return owner.contains(".so") || owner.startsWith("[");
    }

    /** libjvm's own code. */
    public static boolean isJvm(IMCFrame f) {
        return IMCFrame.Type.CPP.equals(f.getType()) || owner(f).equals("libjvm.so");
    }

    /** A VM stub (arraycopy, call stubs): code the JIT runs, so it counts as Java time. */
    public static boolean isStub(IMCFrame f) {
        return name(f).startsWith("[stub] ");
    }

    /** A kernel, library or libjvm function's name, C++ symbols made readable ({@link CppNames}). */
    public static String functionName(IMCFrame f) {
        return CppNames.readable(name(f));
    }

    /** Simple class name, method and line: {@code Worker.flush:42}. */
    public static String javaText(IMCFrame f) {
        String owner = owner(f);
        String simple = owner.substring(owner.lastIndexOf('.') + 1);
        Integer line = f.getFrameLineNumber();
        return simple + "." + name(f) + (line != null && line > 0 ? ":" + line : "");
    }
}
