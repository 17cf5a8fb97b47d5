package io.kfr.agent.convert;

/**
 * One frame of a stack as every output format needs it.
 *
 * @param kind       what runs there
 * @param name       the name a person reads: {@code java.lang.Thread.sleep}, a demangled C++
 *                   name ({@code G1ParScanThreadState::trim_queue_to_threshold}), a kernel or C function
 * @param systemName the name as recorded where it differs (the mangled C++ symbol, a Java method
 *                   with its descriptor); "" if none
 * @param line       the source line of a Java frame; 0 if unknown
 * @param library    the file a native frame's code lives in ({@code libc.so.6}, {@code libjvm.so}),
 *                   {@code [kernel.kallsyms]} for the kernel; "" for Java frames
 */
record Frame(Kind kind, String name, String systemName, int line, String library) {
    enum Kind {
        /** Interpreted, JIT compiled, inlined or native Java methods. */
        JAVA,
        /** C and C++ functions of libraries, libjvm included, and the JVM's stubs. */
        NATIVE,
        KERNEL
    }

    static final String KERNEL_MAPPING = "[kernel.kallsyms]";

    /** The frame in one line, for the folded format: Java methods with their line. */
    String text() {
        return kind == Kind.JAVA && line > 0 ? name + ":" + line : name;
    }
}
