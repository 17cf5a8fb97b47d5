package io.kfr.agent.cli.doctor;

import java.util.Objects;

/**
 * One line of {@code kfr doctor}: the status, a stable name, what was found and what it means for
 * kfr, and the one-line fix when the status is not ok.
 */
public final class Check {
    private final Status status;
    private final String name;
    private final String detail;
    private final String fix;

    Check(Status status, String name, String detail, String fix) {
        this.status = status;
        this.name = name;
        this.detail = detail;
        this.fix = fix;
    }

    public Status status() {
        return status;
    }

    public String name() {
        return name;
    }

    public String detail() {
        return detail;
    }

    public String fix() {
        return fix;
    }

    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof Check)) {
            return false;
        }
        Check o = (Check) other;
        return Objects.equals(status, o.status) && Objects.equals(name, o.name) && Objects.equals(detail, o.detail)
                && Objects.equals(fix, o.fix);
    }

    @Override
    public int hashCode() {
        int h = 0;
        h = 31 * h + Objects.hashCode(status);
        h = 31 * h + Objects.hashCode(name);
        h = 31 * h + Objects.hashCode(detail);
        h = 31 * h + Objects.hashCode(fix);
        return h;
    }

    @Override
    public String toString() {
        return "Check[status=" + status + ", name=" + name + ", detail=" + detail + ", fix=" + fix + "]";
    }


    public enum Status {
        /** Works; kfr uses it. */
        OK("ok"),
        /** Absent or refused, but kfr runs without it (slower path, fewer fields, or not needed). */
        LIMITED("limited"),
        /** Absent or refused, and a kfr collector or feature cannot run without it. */
        MISSING("missing");

        final String label;

        Status(String label) {
            this.label = label;
        }
    }

    public static Check ok(String name, String detail) {
        return new Check(Status.OK, name, detail, null);
    }

    public static Check limited(String name, String detail, String fix) {
        return new Check(Status.LIMITED, name, detail, fix);
    }

    public static Check missing(String name, String detail, String fix) {
        return new Check(Status.MISSING, name, detail, fix);
    }

    /** {@code status  name  detail[ -> fix: fix]}, one line. */
    String line() {
        String text = String.format("%-8s %-32s %s", status.label, name, detail)
                + (fix == null || status == Status.OK ? "" : " -> fix: " + fix);
        return text.replace('\n', ' ').replace('\r', ' ');
    }
}
