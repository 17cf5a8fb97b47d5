package io.kfr.collectors;

import java.util.Objects;

/**
 * One symbolized frame. {@code owner} is what holds the code: "kernel", a library's file name
 * ("libc.so.6"), or a Java class name (binary name with dots). {@code method} is a function or Java
 * method name; {@code descriptor} is a JVM method descriptor for Java frames and "()V" otherwise.
 * {@code line} and {@code bci} are -1 where they do not apply or are unknown. {@code hidden}: a
 * Java method the JVM hides from stack traces (lambda forms, lambda proxies).
 * <p>
 * A class name, descriptor or method name repeats across the frames of many methods and lines:
 * one copy of each recent one is shared ({@link #SHARED}), so the frames kfr keeps cost their
 * own few bytes, not a string each.
 */
public final class Frame {
    /**
     * Recently seen names, direct-mapped by hash: 8 kB (and at most ~0.15 MB of names kept) on a
     * heap of 1 GiB or more, less on a smaller one ({@link HeapShare}). Racy on purpose: a String
     * is safely published, and a lost write only means one more copy.
     */
    private static final String[] SHARED = new String[HeapShare.powerOfTwo(2048, 64)];

    private static String share(String s) {
        if (s == null) {
            return null;
        }
        int slot = s.hashCode() & (SHARED.length - 1);
        String known = SHARED[slot];
        if (s.equals(known)) {
            return known;
        }
        SHARED[slot] = s;
        return s;
    }

    private final String owner;
    private final String method;
    private final String descriptor;
    private final FrameType type;
    private final int line;
    private final int bci;
    private final boolean hidden;
    /**
     * A native or kernel function's run-time start address (kfr.NativeSymbol), -1 if not known;
     * not part of the frame's identity (equals).
     */
    private final long address;

    public Frame(String owner, String method, String descriptor, FrameType type, int line, int bci, boolean hidden) {
        this(owner, method, descriptor, type, line, bci, hidden, -1);
    }

    private Frame(String owner, String method, String descriptor, FrameType type, int line, int bci, boolean hidden,
                  long address) {
        this.address = address;
        this.owner = share(owner);
        this.method = share(method);
        this.descriptor = share(descriptor);
        this.type = type;
        this.line = line;
        this.bci = bci;
        this.hidden = hidden;
    }

    public String owner() {
        return owner;
    }

    public String method() {
        return method;
    }

    public String descriptor() {
        return descriptor;
    }

    public FrameType type() {
        return type;
    }

    public int line() {
        return line;
    }

    public int bci() {
        return bci;
    }

    public boolean hidden() {
        return hidden;
    }

    /** The run-time address of a native or kernel frame's function, or -1 if not known. */
    public long address() {
        return address;
    }

    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof Frame)) {
            return false;
        }
        Frame o = (Frame) other;
        return Objects.equals(owner, o.owner) && Objects.equals(method, o.method)
                && Objects.equals(descriptor, o.descriptor) && Objects.equals(type, o.type) && line == o.line
                && bci == o.bci && hidden == o.hidden;
    }

    @Override
    public int hashCode() {
        int h = 0;
        h = 31 * h + Objects.hashCode(owner);
        h = 31 * h + Objects.hashCode(method);
        h = 31 * h + Objects.hashCode(descriptor);
        h = 31 * h + Objects.hashCode(type);
        h = 31 * h + Integer.hashCode(line);
        h = 31 * h + Integer.hashCode(bci);
        h = 31 * h + Boolean.hashCode(hidden);
        return h;
    }


    public Frame(String owner, String method, String descriptor, FrameType type, int line, int bci) {
        this(owner, method, descriptor, type, line, bci, false);
    }

    public static Frame kernel(String function) {
        return kernel(function, -1);
    }

    /** @param address the function's start, -1 if not known */
    public static Frame kernel(String function, long address) {
        return new Frame("kernel", function, "()V", FrameType.KERNEL, -1, -1, false, address);
    }

    public static Frame nativeCode(String library, String function, boolean jvm) {
        return nativeCode(library, function, jvm, -1);
    }

    /** @param address the function's run-time start, -1 if not known */
    public static Frame nativeCode(String library, String function, boolean jvm, long address) {
        return new Frame(library, function, "()V", jvm ? FrameType.CPP : FrameType.NATIVE, -1, -1, false, address);
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
