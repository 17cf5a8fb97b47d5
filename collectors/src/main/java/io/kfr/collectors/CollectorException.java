package io.kfr.collectors;

/** A collector could not start or run; the message is one line that names the problem and the fix. */
public final class CollectorException extends Exception {
    public CollectorException(String oneLine) {
        super(oneLine);
    }
}
