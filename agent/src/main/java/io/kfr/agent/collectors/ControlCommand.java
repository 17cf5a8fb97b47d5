package io.kfr.agent.collectors;

import io.kfr.agent.control.Reply;

/**
 * A control command a collector kind adds, run in the recording JVM: {@code kfr pt-snapshot <pid>}.
 * The command line sends it with the pid as its only argument.
 */
public interface ControlCommand {
    /** The control protocol's word for it, e.g. pt-snapshot. */
    String name();

    /** How the command line spells it (pt-snapshot; workingset save), for "... needs a pid". */
    default String words() {
        return name();
    }

    /**
     * Its line in the control commands' usage, and whether the command line takes its name as a
     * command of its own; null when another command runs it (workingset save).
     */
    String usage();

    /** In the recording JVM, under the controller's lock; {@code recording}: whether a session runs. */
    Reply run(boolean recording);
}
