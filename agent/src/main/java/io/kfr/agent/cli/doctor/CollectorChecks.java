package io.kfr.agent.cli.doctor;

import io.kfr.agent.collectors.CollectorKind;
import io.kfr.collectors.offcpu.JavaFramesSelfTest;
import io.kfr.collectors.probe.CollectorTrial;

import java.util.List;
import java.util.Objects;

/** The collectors opened on this JVM as the agent opens them, and closed at once. */
final class CollectorChecks {
    private CollectorChecks() {
    }

    /** A trial of one kind with its outcome. */
    static final class Tried {
        private final CollectorKind kind;
        private final CollectorTrial.Outcome outcome;

        Tried(CollectorKind kind, CollectorTrial.Outcome outcome) {
            this.kind = kind;
            this.outcome = outcome;
        }

        public CollectorKind kind() {
            return kind;
        }

        public CollectorTrial.Outcome outcome() {
            return outcome;
        }

        @Override
        public boolean equals(Object other) {
            if (this == other) {
                return true;
            }
            if (!(other instanceof Tried)) {
                return false;
            }
            Tried o = (Tried) other;
            return Objects.equals(kind, o.kind) && Objects.equals(outcome, o.outcome);
        }

        @Override
        public int hashCode() {
            int h = 0;
            h = 31 * h + Objects.hashCode(kind);
            h = 31 * h + Objects.hashCode(outcome);
            return h;
        }

        @Override
        public String toString() {
            return "Tried[kind=" + kind + ", outcome=" + outcome + "]";
        }
    }

    static Check check(Tried t) {
        CollectorKind kind = t.kind();
        CollectorTrial.Outcome o = t.outcome();
        String name = "collector." + kind.name();
        String what = kind.title();
        if (!o.runs()) {
            boolean denied = o.reason().contains("not permitted") || o.reason().contains("EPERM")
                    || o.reason().contains("EACCES");
            return Check.missing(name, what + " does not open: " + o.reason(),
                    denied ? Fixes.PRIVILEGES_SHORT : "see the missing lines above");
        }
        String detail = what + " opens: " + o.mode() + ", " + javaFrames(o)
                + (o.javaFrames().isEmpty() ? " (start-up self-test " + JavaFramesSelfTest.outcome() + ")" : "");
        if (!o.javaFrames().isEmpty()) {
            return Check.limited(name, detail, "a HotSpot JDK 11 or later (see the jvm line)");
        }
        String limited = kind.limitedMode(o);
        if (limited != null) {
            return Check.limited(name, detail + " (" + limited + ")", kind.limitedFix());
        }
        return Check.ok(name, detail);
    }

    static String javaFrames(CollectorTrial.Outcome o) {
        return o.javaFrames().isEmpty() ? "Java frames" : "Java frames off: " + o.javaFrames();
    }

    /** The closing line: which collectors run here, then the other kinds' words. */
    static String summary(List<Tried> tried, List<String> others) {
        StringBuilder b = new StringBuilder("kfr here:");
        for (Tried t : tried) {
            CollectorTrial.Outcome o = t.outcome();
            b.append(' ').append(t.kind().shortTitle()).append(' ')
                    .append(o.runs() ? "yes (" + o.mode() + ", " + javaFrames(o) + ")" : "no").append(';');
        }
        return others.isEmpty() ? b.toString() : b.append(' ').append(String.join("; ", others)).toString();
    }
}
