package io.kfr.collectors.hotspot;

/** Why the kernel's Java walker stopped early (KFR_JB_* in native/src/hotspot/java_stack_records.h), in words. */
public final class WalkStopReasons {
    private WalkStopReasons() {
    }

    /** The reason in words; an unknown code (a newer walker) as "reason N". */
    public static String words(int reason) {
        switch (reason) {
            case 1:
                return "stack or JVM memory not readable";
            case 2:
                return "pc in the code cache but no code blob there";
            case 3:
                return "a code blob without a usable frame size";
            case 4:
                return "the caller's stack pointer is not above the frame's";
            case 5:
                return "pc neither in the interpreter, the code cache nor native code called from Java";
            case 6:
                return "interrupted in a compiled method's prologue, its caller unknown";
            default:
                return "reason " + reason;
        }
    }
}
