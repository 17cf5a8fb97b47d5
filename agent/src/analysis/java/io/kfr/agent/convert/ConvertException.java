package io.kfr.agent.convert;

/** A conversion that cannot be done; the message is the one line the user sees after "kfr: ". */
final class ConvertException extends Exception {
    private static final long serialVersionUID = 1L;

    ConvertException(String message) {
        super(message);
    }
}
