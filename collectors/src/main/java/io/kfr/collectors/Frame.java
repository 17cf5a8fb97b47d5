package io.kfr.collectors;

/**
 * One symbolized frame. {@code owner} is what holds the code: "kernel", a library's file name
 * ("libc.so.6"), or a Java class name (binary name with dots). {@code method} is a function or Java
 * method name; {@code descriptor} is a JVM method descriptor for Java frames and "()V" otherwise.
 * {@code line} and {@code bci} are -1 where they do not apply or are unknown. {@code hidden}: a
 * Java method the JVM hides from stack traces (lambda forms, lambda proxies).
 */
public record Frame(String owner, String method, String descriptor, FrameType type, int line, int bci,
                    boolean hidden) {

    public Frame(String owner, String method, String descriptor, FrameType type, int line, int bci) {
        this(owner, method, descriptor, type, line, bci, false);
    }

    public static Frame kernel(String function) {
        return new Frame("kernel", function, "()V", FrameType.KERNEL, -1, -1);
    }

    public static Frame nativeCode(String library, String function, boolean jvm) {
        return new Frame(library, function, "()V", jvm ? FrameType.CPP : FrameType.NATIVE, -1, -1);
    }

    /** A frame whose code could not be named; we never guess. */
    public static Frame unknown(String where) {
        return new Frame(where, "[unknown]", "()V", FrameType.UNKNOWN, -1, -1);
    }

    @Override
    public String toString() {
        return owner + "." + method + (line >= 0 ? ":" + line : "") + " (" + type.jfrName() + ")";
    }
}
