package io.kfr.collectors.probe;

import io.kfr.collectors.natives.KfrNative;

/**
 * Opens a kfr collector on this process exactly as the agent would, notes how it runs, and closes
 * it again at once: the surest answer to "will it run here". Call {@link Probes#load()} first.
 * Each collector has its own trial (e.g. OffCpuCollector.trial); this is what they answer.
 */
public final class CollectorTrial {
    /** The ring buffer a trial opens with. */
    public static final int RING_BUFFER_BYTES = 256 << 10;

    private CollectorTrial() {
    }

    /**
     * @param runs whether it opened
     * @param mode off-CPU: tp_btf or raw_tp; CPU: cycles or cpu-clock; "" if it did not open
     * @param javaFrames "" when it walks Java frames, else why not
     * @param reason why it did not open ("" if it did)
     */
    public record Outcome(boolean runs, String mode, String javaFrames, String reason) {
        public static Outcome failed() {
            String why = KfrNative.lastError();
            return new Outcome(false, "", "", why != null ? why : "unknown error");
        }
    }
}
