package io.kfr.agent.convert;

import io.kfr.jmc.events.CppNames;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedStackTrace;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * kfr's JFR frames as {@link Frame}s. kfr writes the frame type (Interpreted, JIT compiled,
 * Inlined, Native, C++, Kernel) and, as the frame's class, what holds the code: a Java class, a
 * library's file name ("libc.so.6", "libjvm.so"), or "kernel". "Native" is both a Java method
 * declared native (its owner is a class) and a library function (its owner a file name).
 */
final class JfrFrames {
    /** A hidden class's address suffix ("+0x00007f0bb80c92e0", "/0x000001b6c1003200"). */
    private static final Pattern HIDDEN_SUFFIX = Pattern.compile("[+/]0x[0-9a-f]+");
    /** JDK 17 also numbers lambda classes: "Main$$Lambda$122". */
    private static final Pattern LAMBDA_NUMBER = Pattern.compile("\\$\\$Lambda\\$\\d+");
    /** Frames repeat across thousands of events: one Frame per distinct JFR frame content. */
    private final Map<List<Object>, Frame> cache = new HashMap<>();
    /**
     * Stacks are constants of their chunk, and the JDK's reader hands out one object per constant:
     * each stack is converted once per chunk, not once per event (a million events, a few thousand stacks).
     */
    private final Map<RecordedStackTrace, List<Frame>> stacks = new IdentityHashMap<>();

    /** The stack's frames, innermost first; none for a missing stack. */
    List<Frame> stack(RecordedStackTrace stack) {
        if (stack == null) {
            return List.of();
        }
        return stacks.computeIfAbsent(stack, s -> frames(s.getFrames()));
    }

    private List<Frame> frames(List<RecordedFrame> frames) {
        if (frames == null || frames.isEmpty()) {
            return List.of();
        }
        List<Frame> out = new ArrayList<>(frames.size());
        for (RecordedFrame f : frames) {
            out.add(frame(f));
        }
        return Collections.unmodifiableList(out);
    }

    private Frame frame(RecordedFrame f) {
        RecordedMethod m = f.getMethod();
        String owner = m == null || m.getType() == null ? "" : nullToEmpty(m.getType().getName());
        String name = m == null ? "" : nullToEmpty(m.getName());
        String descriptor = m == null ? "" : nullToEmpty(m.getDescriptor());
        String type = nullToEmpty(f.getType());
        int line = Math.max(0, f.getLineNumber());
        return cache.computeIfAbsent(List.of(owner, name, descriptor, type, line),
                k -> of(owner, name, descriptor, type, line));
    }

    static Frame of(String owner, String name, String descriptor, String type, int line) {
        switch (type) {
            case "Kernel":
                return new Frame(Frame.Kind.KERNEL, name, "", 0, Frame.KERNEL_MAPPING);
            case "Interpreted", "JIT compiled", "Inlined":
                return java(owner, name, descriptor, line);
            default:
                if (isClass(owner)) {
                    return java(owner, name, descriptor, line); // a native Java method
                }
                // C++ symbols are recorded mangled: the readable name for people, the symbol as the system name
                String readable = CppNames.readable(name);
                return new Frame(Frame.Kind.NATIVE, readable, readable.equals(name) ? "" : name, 0, owner);
        }
    }

    private static Frame java(String owner, String name, String descriptor, int line) {
        String qualified = stableLambda(owner.isEmpty() ? name : owner + "." + name);
        return new Frame(Frame.Kind.JAVA, qualified, descriptor.isEmpty() ? "" : qualified + descriptor, line, "");
    }

    /**
     * Hidden classes (lambdas, method handle forms) are named by the run
     * ({@code Main$$Lambda$122+0x00007f0bb80c92e0}, {@code LambdaForm$MH+0x0000000069040000}):
     * {@code Main$$Lambda}, {@code LambdaForm$MH}, so that profiles of two runs or two JVMs merge
     * in a backend (Pyroscope does the same with JFR).
     */
    static String stableLambda(String name) {
        if (name.indexOf("0x") < 0) {
            return name;
        }
        return LAMBDA_NUMBER.matcher(HIDDEN_SUFFIX.matcher(name).replaceAll("")).replaceAll("\\$\\$Lambda");
    }

    /** A Java class name has a package; a library's file name has ".so", the kernel and [vdso] neither. */
    private static boolean isClass(String owner) {
        return owner.contains(".") && !owner.contains(".so") && !owner.equals("kernel");
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
