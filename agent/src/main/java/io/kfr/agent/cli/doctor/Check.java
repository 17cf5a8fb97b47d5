package io.kfr.agent.cli.doctor;

/**
 * One line of {@code kfr doctor}: the status, a stable name, what was found and what it means for
 * kfr, and the one-line fix when the status is not ok.
 */
record Check(Status status, String name, String detail, String fix) {

    enum Status {
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

    static Check ok(String name, String detail) {
        return new Check(Status.OK, name, detail, null);
    }

    static Check limited(String name, String detail, String fix) {
        return new Check(Status.LIMITED, name, detail, fix);
    }

    static Check missing(String name, String detail, String fix) {
        return new Check(Status.MISSING, name, detail, fix);
    }

    /** {@code status  name  detail[ -> fix: fix]}, one line. */
    String line() {
        String text = String.format("%-8s %-32s %s", status.label, name, detail)
                + (fix == null || status == Status.OK ? "" : " -> fix: " + fix);
        return text.replace('\n', ' ').replace('\r', ' ');
    }
}
