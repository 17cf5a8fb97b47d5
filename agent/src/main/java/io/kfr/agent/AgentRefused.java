package io.kfr.agent;

/**
 * Thrown out of agentmain when kfr did not start with the options an attach tool gave (jcmd
 * JVMTI.agent_load): the JDK reports a failed agent start to the tool as a non-zero return code.
 * Without a stack trace: the JDK prints the exception on the JVM's stderr, under kfr's one line.
 */
public final class AgentRefused extends RuntimeException {
    private static final long serialVersionUID = 1L;

    AgentRefused(String why) {
        super("kfr: " + why, null, false, false);
    }
}
