package io.kfr.jmc.rules;

import io.kfr.jmc.events.Frames;
import org.openjdk.jmc.common.IMCFrame;
import org.openjdk.jmc.common.IMCStackTrace;

import java.util.List;
import java.util.regex.Pattern;

/** Where a CPU sample was: in Java code, or outside it (GC, JIT compiler, kernel, native library, JVM). */
enum CpuKind {
    JAVA("Java code"),
    GC("garbage collection"),
    JIT("JIT compiler"),
    KERNEL("kernel"),
    NATIVE("native libraries"),
    JVM("JVM runtime"),
    /** kfr's own threads (kfr-offcpu, kfr-cpu): the profiler's cost, not the application's. */
    KFR("kfr itself"),
    UNKNOWN("unnamed code");

    /** The GC threads of G1, Parallel, ZGC and Shenandoah (Serial collects in the VM Thread). */
    private static final Pattern GC_THREAD = Pattern.compile(
            "GC Thread#.*|G1 .*|Z(Worker|Driver|Director|Stat|Uncommitter|Unmapper|Relocate).*|Shenandoah.*|Gang worker.*");
    private static final Pattern JIT_THREAD = Pattern.compile("C[12] CompilerThre.*|JVMCI.*|Sweeper thread");
    /** libjvm functions of the collectors, for GC work done in the VM Thread (Serial, safepoint GC phases). */
    private static final Pattern GC_FUNCTION = Pattern.compile(
            ".*(G1|PSScavenge|PSParallelCompact|ParallelScavenge|SerialHeap|DefNewGeneration|TenuredGeneration"
                    + "|GenCollectedHeap|MarkSweep|ZHeap|ZMark|Shenandoah|CollectedHeap::collect).*");

    final String text;

    CpuKind(String text) {
        this.text = text;
    }

    /** Time the rule counts as outside Java code: not Java, not kfr's own threads, not unnamed code. */
    boolean isOutsideJava() {
        return this != JAVA && this != KFR && this != UNKNOWN;
    }

    static CpuKind of(String threadName, IMCStackTrace stack) {
        String name = threadName == null ? "" : threadName;
        if (GC_THREAD.matcher(name).matches()) {
            return GC;
        }
        if (JIT_THREAD.matcher(name).matches()) {
            return JIT;
        }
        if (name.startsWith("kfr-")) {
            return KFR;
        }
        List<? extends IMCFrame> frames = Frames.of(stack);
        if (name.equals("VM Thread") && frames.stream().anyMatch(f -> Frames.isJvm(f)
                && GC_FUNCTION.matcher(Frames.name(f)).matches())) {
            return GC;
        }
        if (frames.isEmpty()) {
            return UNKNOWN;
        }
        IMCFrame top = frames.get(0);
        if (Frames.isKernel(top)) {
            return KERNEL;
        }
        if (Frames.isUnknown(top)) {
            return UNKNOWN;
        }
        if (Frames.isStub(top) || Frames.isJava(top) && !Frames.isNativeJava(top)) {
            return JAVA;
        }
        if (Frames.isJvm(top)) {
            return JVM;
        }
        // a library function: the JVM's if libjvm called it, the application's if Java code did
        for (IMCFrame f : frames) {
            if (Frames.isJava(f) || Frames.isStub(f)) {
                return NATIVE;
            }
            if (Frames.isJvm(f)) {
                return JVM;
            }
        }
        return NATIVE;
    }

    /** What to name for a sample of this kind: the innermost frame that says where the time went. */
    static String where(CpuKind kind, IMCStackTrace stack) {
        List<? extends IMCFrame> frames = Frames.of(stack);
        if (frames.isEmpty()) {
            return null;
        }
        IMCFrame top = frames.get(0);
        if (Frames.isUnknown(top)) {
            return Frames.name(top) + " (" + Frames.owner(top) + ")";
        }
        if (Frames.isJava(top) || Frames.isStub(top)) {
            IMCFrame app = Stacks.applicationFrame(stack);
            IMCFrame java = Stacks.innermostJava(stack);
            return java == null ? Frames.name(top) : Frames.javaText(app != null ? app : java);
        }
        if (Frames.isKernel(top)) {
            IMCFrame app = kind == KERNEL ? Stacks.applicationFrame(stack) : null;
            return "kernel " + Frames.name(top) + (app != null ? " from " + Frames.javaText(app) : "");
        }
        return Frames.owner(top) + " " + Frames.functionName(top);
    }
}
