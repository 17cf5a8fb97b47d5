package io.kfr.jmc.report;

/** A report that cannot be made; the message is the one line the command prints. */
final class ReportException extends Exception {
    ReportException(String message) {
        super(message);
    }
}
