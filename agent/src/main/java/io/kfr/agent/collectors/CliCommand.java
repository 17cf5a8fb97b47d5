package io.kfr.agent.collectors;

import java.util.List;

/** A command of the command line a collector kind adds: {@code java -jar kfr-agent.jar prefetch ...}. */
public interface CliCommand {
    /** The command's first word. */
    String name();

    /** Its lines in the command line's usage. */
    List<String> usage();

    /** @param args the words after its name; @return the exit code (0 done, 1 failed, 2 usage) */
    int run(List<String> args) throws Exception;
}
