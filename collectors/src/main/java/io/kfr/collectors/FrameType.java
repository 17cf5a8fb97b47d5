package io.kfr.collectors;

/** Kind of a stack frame; {@link #jfrName()} is the frame type string JMC and the JDK know. */
public enum FrameType {
    KERNEL("Kernel"),
    NATIVE("Native"),
    CPP("C++"),
    INTERPRETED("Interpreted"),
    JIT_COMPILED("JIT compiled"),
    INLINED("Inlined"),
    UNKNOWN("Native");

    private final String jfrName;

    FrameType(String jfrName) {
        this.jfrName = jfrName;
    }

    public String jfrName() {
        return jfrName;
    }
}
