package io.kfr.jmc.rules;

import io.kfr.jmc.events.Frames;
import org.openjdk.jmc.common.IMCFrame;
import org.openjdk.jmc.common.IMCStackTrace;

import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The frames of a stack that the rules name: the application's innermost Java frame, where a
 * thread waited from, the kernel function it blocked in. Stacks are innermost first.
 */
final class Stacks {
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

    private Stacks() {
    }

    /** A Java frame of the application: outside the JDK and kfr (kfr's demo counts as application). */
    static boolean isApplication(IMCFrame f) {
        if (!Frames.isJava(f)) {
            return false;
        }
        String owner = Frames.owner(f);
        return owner.startsWith(DEMO) || PLATFORM.stream().noneMatch(owner::startsWith);
    }

    /** The first kernel function below the scheduler's own, or null. */
    static String kernelFunction(IMCStackTrace stack) {
        for (IMCFrame f : Frames.of(stack)) {
            if (Frames.isKernel(f) && !SCHEDULER.contains(Frames.name(f))) {
                return Frames.name(f);
            }
        }
        return null;
    }

    /** The innermost Java frame of the application, or null. */
    static IMCFrame applicationFrame(IMCStackTrace stack) {
        return innermost(stack, Stacks::isApplication);
    }

    static IMCFrame innermostJava(IMCStackTrace stack) {
        return innermost(stack, Frames::isJava);
    }

    private static IMCFrame innermost(IMCStackTrace stack, Predicate<IMCFrame> which) {
        for (IMCFrame f : Frames.of(stack)) {
            if (which.test(f)) {
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
        for (IMCFrame f : Frames.of(stack)) {
            if (!Frames.isJava(f)) {
                continue;
            }
            innermost = innermost == null ? f : innermost;
            String method = Frames.owner(f) + "." + Frames.name(f);
            if (BLOCKING_PRIMITIVES.stream().noneMatch(method::startsWith)) {
                return f;
            }
        }
        return innermost;
    }
}
