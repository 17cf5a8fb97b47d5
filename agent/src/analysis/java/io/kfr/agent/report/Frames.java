package io.kfr.agent.report;

import jdk.jfr.consumer.RecordedFrame;

/** How the reports read frames of kfr's stacks. */
final class Frames {
    private Frames() {
    }

    /**
     * A Java method's frame, native Java methods included: those are typed "Native" like native
     * library frames, whose owner is a file name ("libc.so.6") rather than a class.
     * (RecordedFrame.isJavaFrame() is true for every frame.)
     */
    static boolean isJava(RecordedFrame f) {
        String owner = f.getMethod().getType().getName();
        return switch (f.getType()) {
            case "Interpreted", "JIT compiled", "Inlined" -> true;
            case "Native" -> owner.contains(".") && !owner.contains(".so");
            default -> false;
        };
    }
}
