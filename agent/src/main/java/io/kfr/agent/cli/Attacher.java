package io.kfr.agent.cli;

import io.kfr.agent.AgentStart;
import net.bytebuddy.agent.ByteBuddyAgent;

import java.nio.file.Path;

/**
 * Loads the kfr agent into a running JVM through the attach API (byte-buddy-agent), with the
 * argument "control": the agent then only opens its control channel. Done once per JVM; later
 * commands use the channel.
 */
final class Attacher {
    private Attacher() {
    }

    static void load(Path agentJar, TargetProcess target) throws TargetProcess.Problem {
        try {
            ByteBuddyAgent.attach(agentJar.toFile(), Long.toString(target.pid()), AgentStart.CONTROL);
        } catch (RuntimeException | LinkageError e) {
            if (!target.alive()) {
                throw new TargetProcess.Problem("JVM " + target.pid() + " exited during the attach");
            }
            throw new TargetProcess.Problem("cannot load kfr into JVM " + target.pid() + ": " + reason(e));
        }
    }

    /** The innermost cause's message: the attach API's own words (timeouts, refusals). */
    private static String reason(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String name = root.getClass().getSimpleName();
        String msg = root.getMessage() == null ? "" : root.getMessage().replace('\n', ' ');
        if (msg.contains("EnableDynamicAgentLoading")) {
            return "it does not allow loading agents (-XX:-EnableDynamicAgentLoading); restart it with"
                    + " -XX:+EnableDynamicAgentLoading, or with -javaagent:kfr-agent.jar=<options>";
        }
        if (name.equals("AgentLoadException") || name.equals("AgentInitializationException")) {
            return "the JVM refused the agent (" + msg + "); see its output";
        }
        if (msg.contains("Unable to open socket file") || msg.contains("not respond")) {
            return "the JVM did not answer the attach request (" + msg + ")";
        }
        if (name.equals("ClassNotFoundException") || name.equals("NoClassDefFoundError")) {
            return "the attach API is missing (module jdk.attach): run kfr with a full JDK";
        }
        return name + (msg.isEmpty() ? "" : ": " + msg);
    }
}
