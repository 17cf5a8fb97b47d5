package io.kfr.agent.control;

import java.util.List;

/** An answer to one request: text lines, and null or a one-line error. */
public record Reply(List<String> lines, String error) {
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
