package io.kfr.collectors.probe;

import io.kfr.collectors.natives.KfrNative;

import java.util.Objects;

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
    public static final class Outcome {
        private final boolean runs;
        private final String mode;
        private final String javaFrames;
        private final String reason;

        public Outcome(boolean runs, String mode, String javaFrames, String reason) {
            this.runs = runs;
            this.mode = mode;
            this.javaFrames = javaFrames;
            this.reason = reason;
        }

        public boolean runs() {
            return runs;
        }

        public String mode() {
            return mode;
        }

        public String javaFrames() {
            return javaFrames;
        }

        public String reason() {
            return reason;
        }

        @Override
        public boolean equals(Object other) {
            if (this == other) {
                return true;
            }
            if (!(other instanceof Outcome)) {
                return false;
            }
            Outcome o = (Outcome) other;
            return runs == o.runs && Objects.equals(mode, o.mode) && Objects.equals(javaFrames, o.javaFrames)
                    && Objects.equals(reason, o.reason);
        }

        @Override
        public int hashCode() {
            int h = 0;
            h = 31 * h + Boolean.hashCode(runs);
            h = 31 * h + Objects.hashCode(mode);
            h = 31 * h + Objects.hashCode(javaFrames);
            h = 31 * h + Objects.hashCode(reason);
            return h;
        }

        @Override
        public String toString() {
            return "Outcome[runs=" + runs + ", mode=" + mode + ", javaFrames=" + javaFrames
                    + ", reason=" + reason + "]";
        }

        public static Outcome failed() {
            String why = KfrNative.lastError();
            return new Outcome(false, "", "", why != null ? why : "unknown error");
        }
    }
}
