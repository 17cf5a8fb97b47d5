package io.kfr.agent.control;

/**
 * The control channel's line protocol. The client sends one request line, {@code <command>[ <argument>]},
 * and closes its side; the agent answers with lines of text and a last line that is either
 * {@link #OK} or {@code error <one-line reason>}, then closes the connection.
 */
public final class Protocol {
    public static final String OK = "ok";
    public static final String ERROR = "error ";
    /** Longest request line accepted (options and file names). */
    public static final int MAX_REQUEST = 8192;

    private Protocol() {
    }
}
