package io.kfr.agent;

/** A wrong agent option; the message is the one line shown to the user. */
public final class OptionException extends Exception {
    public OptionException(String oneLine) {
        super(oneLine);
    }
}
