package io.kfr.agent.control;

import java.util.List;
import java.util.Objects;

/** An answer to one request: text lines, and null or a one-line error. */
public final class Reply {
    private final List<String> lines;
    private final String error;

    public Reply(List<String> lines, String error) {
        this.lines = lines;
        this.error = error;
    }

    public List<String> lines() {
        return lines;
    }

    public String error() {
        return error;
    }

    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof Reply)) {
            return false;
        }
        Reply o = (Reply) other;
        return Objects.equals(lines, o.lines) && Objects.equals(error, o.error);
    }

    @Override
    public int hashCode() {
        int h = 0;
        h = 31 * h + Objects.hashCode(lines);
        h = 31 * h + Objects.hashCode(error);
        return h;
    }

    @Override
    public String toString() {
        return "Reply[lines=" + lines + ", error=" + error + "]";
    }

    public static Reply ok(List<String> lines) {
        return new Reply(List.copyOf(lines), null);
    }

    public static Reply ok(String line) {
        return new Reply(List.of(line), null);
    }

    public static Reply error(String oneLine) {
        return new Reply(List.of(), oneLine.replace('\n', ' '));
    }

    public boolean failed() {
        return error != null;
    }
}
