package io.kfr.collectors.probe;

import io.kfr.collectors.natives.KfrNative;
import io.kfr.collectors.offcpu.JavaFramesSelfTest;

/**
 * Opens a kfr collector on this process exactly as the agent would, notes how it runs, and closes
 * it again at once: the surest answer to "will it run here". Call {@link Probes#load()} first.
 */
public final class CollectorTrial {
    private static final int RING_BUFFER_BYTES = 256 << 10;
    private static final long THRESHOLD_NANOS = 1_000_000;
    private static final long CPU_INTERVAL_NANOS = 10_000_000;

    private CollectorTrial() {
    }

    /**
     * @param runs whether it opened
     * @param mode off-CPU: tp_btf or raw_tp; CPU: cycles or cpu-clock; "" if it did not open
     * @param javaFrames "" when it walks Java frames, else why not
     * @param reason why it did not open ("" if it did)
     */
    public record Outcome(boolean runs, String mode, String javaFrames, String reason) {
        static Outcome failed() {
            String why = KfrNative.lastError();
            return new Outcome(false, "", "", why != null ? why : "unknown error");
        }
    }

    public static Outcome offCpu() {
        // as the agent does: Java frames only after the start-up self-test
        String selfTest = JavaFramesSelfTest.verdict((int) ProcessHandle.current().pid());
        long h = KfrNative.offcpuOpen((int) ProcessHandle.current().pid(), THRESHOLD_NANOS, RING_BUFFER_BYTES,
                selfTest.isEmpty());
        if (h == 0) {
            return Outcome.failed();
        }
        try {
            return new Outcome(true, KfrNative.offcpuAttachMode(h),
                    selfTest.isEmpty() ? KfrNative.javaFramesStatus() : selfTest, "");
        } finally {
            KfrNative.collectorClose(h);
        }
    }

    public static Outcome cpu() {
        String selfTest = JavaFramesSelfTest.verdict((int) ProcessHandle.current().pid());
        long h = KfrNative.cpuOpen((int) ProcessHandle.current().pid(), CPU_INTERVAL_NANOS, 0, "auto",
                RING_BUFFER_BYTES, selfTest.isEmpty());
        if (h == 0) {
            return Outcome.failed();
        }
        try {
            return new Outcome(true, KfrNative.cpuEvent(h), selfTest.isEmpty() ? KfrNative.javaFramesStatus() : selfTest, "");
        } finally {
            KfrNative.collectorClose(h);
        }
    }
}
