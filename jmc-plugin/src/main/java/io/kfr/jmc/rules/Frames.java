package io.kfr.jmc.rules;

import org.openjdk.jmc.common.IMCFrame;
import org.openjdk.jmc.common.IMCStackTrace;

import java.util.List;
import java.util.Set;

/**
 * How kfr's frames read in JMC: kernel frames are typed Kernel (owner "kernel"), native library
 * frames Native with the library's file name as owner ("libc.so.6"), libjvm's functions and VM
 * stubs C++, Java frames Interpreted / JIT compiled / Inlined, and native Java methods Native with a
 * class as owner. An unnamed frame is "[unknown]" or "[java: reason]".
 */
final class Frames {
    /** Kernel functions every blocked thread passes through; they say nothing about why. */
    private static final Set<String> SCHEDULER = Set.of("__schedule", "schedule", "schedule_preempt_disabled",
            "preempt_schedule_common", "__cond_resched", "schedule_hrtimeout_range_clock", "schedule_hrtimeout_range",
            "schedule_timeout", "io_schedule", "io_schedule_timeout", "preempt_schedule_irq", "__preempt_schedule");
    /** Java code of the JDK and of kfr itself: not where an application waits from. */
    private static final List<String> PLATFORM = List.of("java.", "javax.", "jdk.", "sun.", "com.sun.", "io.kfr.agent.",
            "io.kfr.collectors.", "io.kfr.jfr.");
    /** Where every wait ends up; the frame above them says more. */
    private static final List<String> BLOCKING_PRIMITIVES = List.of("jdk.internal.misc.Unsafe.", "sun.misc.Unsafe.",
            "java.util.concurrent.locks.", "java.lang.Object.wait", "java.lang.Thread.sleep", "java.lang.Thread.join");
    /** kfr's demo workload is application code. */
    private static final String DEMO = "io.kfr.agent.demo.";

    private Frames() {
    }

    static List<? extends IMCFrame> of(IMCStackTrace stack) {
        return stack == null || stack.getFrames() == null ? List.of() : stack.getFrames();
    }

    static boolean isKernel(IMCFrame f) {
        return IMCFrame.Type.KERNEL.equals(f.getType());
    }

    static String owner(IMCFrame f) {
        return f.getMethod() == null || f.getMethod().getType() == null ? "" : f.getMethod().getType().getFullName();
    }

    static String name(IMCFrame f) {
        return f.getMethod() == null || f.getMethod().getMethodName() == null ? "" : f.getMethod().getMethodName();
    }

    /** A Java method's frame, native Java methods included (their owner is a class, not a file). */
    static boolean isJava(IMCFrame f) {
        IMCFrame.Type t = f.getType();
        if (IMCFrame.Type.INTERPRETED.equals(t) || IMCFrame.Type.JIT_COMPILED.equals(t)
                || IMCFrame.Type.INLINED.equals(t)) {
            return true;
        }
        String owner = owner(f);
        return IMCFrame.Type.NATIVE.equals(t) && owner.contains(".") && !isLibrary(owner) && !isUnknown(f);
    }

    /** A Java method declared native (Thread.sleep0, Unsafe.park, FileDispatcherImpl.force0). */
    static boolean isNativeJava(IMCFrame f) {
        return IMCFrame.Type.NATIVE.equals(f.getType()) && isJava(f);
    }

    static boolean isUnknown(IMCFrame f) {
        String n = name(f);
        return n.equals("[unknown]") || n.startsWith("[java:");
    }

    /** A shared library's file name as owner: libc.so.6, libjvm.so, [vdso]. */
    static boolean isLibrary(String owner) {
        return owner.contains(".so") || owner.startsWith("[");
    }

    static boolean isJvm(IMCFrame f) {
        return IMCFrame.Type.CPP.equals(f.getType()) || owner(f).equals("libjvm.so");
    }

    /** A VM stub (arraycopy, call stubs): code the JIT runs, so it counts as Java time. */
    static boolean isStub(IMCFrame f) {
        return name(f).startsWith("[stub] ");
    }

    static boolean isApplication(IMCFrame f) {
        if (!isJava(f)) {
            return false;
        }
        String owner = owner(f);
        return owner.startsWith(DEMO) || PLATFORM.stream().noneMatch(owner::startsWith);
    }

    /** The first kernel function below the scheduler's own, or null. */
    static String kernelFunction(IMCStackTrace stack) {
        for (IMCFrame f : of(stack)) {
            if (isKernel(f) && !SCHEDULER.contains(name(f))) {
                return name(f);
            }
        }
        return null;
    }

    /** The innermost Java frame of the application (outside the JDK and kfr), or null. */
    static IMCFrame applicationFrame(IMCStackTrace stack) {
        for (IMCFrame f : of(stack)) {
            if (isApplication(f)) {
                return f;
            }
        }
        return null;
    }

    /**
     * The Java frame that says where a thread waited from: the application's innermost, or else the
     * innermost JDK frame above the blocking primitives (a queue's take() rather than Unsafe.park).
     */
    static IMCFrame waitedFrom(IMCStackTrace stack) {
        IMCFrame app = applicationFrame(stack);
        if (app != null) {
            return app;
        }
        IMCFrame innermost = null;
        for (IMCFrame f : of(stack)) {
            if (!isJava(f)) {
                continue;
            }
            innermost = innermost == null ? f : innermost;
            String method = owner(f) + "." + name(f);
            if (BLOCKING_PRIMITIVES.stream().noneMatch(method::startsWith)) {
                return f;
            }
        }
        return innermost;
    }

    static IMCFrame innermostJava(IMCStackTrace stack) {
        for (IMCFrame f : of(stack)) {
            if (isJava(f)) {
                return f;
            }
        }
        return null;
    }

    /** Simple class name, method and line: {@code Worker.flush:42}. */
    static String javaText(IMCFrame f) {
        String owner = owner(f);
        String simple = owner.substring(owner.lastIndexOf('.') + 1);
        Integer line = f.getFrameLineNumber();
        return simple + "." + name(f) + (line != null && line > 0 ? ":" + line : "");
    }

    /** A native frame as library and function: {@code libz.so.1 deflate}. */
    static String nativeText(IMCFrame f) {
        return isKernel(f) ? "kernel " + name(f) : owner(f) + " " + name(f);
    }
}
