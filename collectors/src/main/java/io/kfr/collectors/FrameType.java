package io.kfr.collectors;

/** Kind of a stack frame; {@link #jfrName()} is the frame type string JMC and the JDK know. */
public enum FrameType {
    KERNEL("Kernel"),
    NATIVE("Native"),
    CPP("C++"),
    INTERPRETED("Interpreted"),
    JIT_COMPILED("JIT compiled"),
    INLINED("Inlined"),
    /** A Java method declared native (Thread.sleep0, Unsafe.park): Java code, JFR type "Native". */
    JAVA_NATIVE("Native"),
    UNKNOWN("Native");

    private final String jfrName;

    FrameType(String jfrName) {
        this.jfrName = jfrName;
    }

    public String jfrName() {
        return jfrName;
    }

    /** A frame of a Java method (owner is a class). */
    public boolean isJava() {
        return this == INTERPRETED || this == JIT_COMPILED || this == INLINED || this == JAVA_NATIVE;
    }
}
