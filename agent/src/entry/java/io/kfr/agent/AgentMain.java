package io.kfr.agent;

import java.lang.instrument.Instrumentation;

/**
 * The agent jar's Premain-Class and Agent-Class, compiled for Java 8 so that every JVM loads it:
 * on a JVM kfr cannot serve (older than kfr's release, no jdk.jfr) it prints one {@code kfr:}
 * line and returns, and the JVM runs on as if kfr were not there. Otherwise it hands over to
 * {@code AgentStart} (premain: record with the options and open the control channel; agentmain
 * "control": the channel only; agentmain with options: as premain).
 */
public final class AgentMain {
    private static final String START = "io.kfr.agent.AgentStart";

    private AgentMain() {
    }

    public static void premain(String args, Instrumentation inst) {
        enter("premain", args, inst);
    }

    public static void agentmain(String args, Instrumentation inst) {
        enter("agentmain", args, inst);
    }

    private static void enter(String method, String args, Instrumentation inst) {
        String why = JdkGate.whyNot("this JVM", true);
        if (why != null) {
            System.err.println("kfr: not recording: " + why + "; the JVM runs on without kfr");
            return;
        }
        try {
            JdkGate.call(START, method, new Class<?>[] {String.class, Instrumentation.class}, new Object[] {args, inst});
        } catch (Throwable t) {
            if (method.equals("agentmain") && t.getClass().getName().equals("io.kfr.agent.AgentRefused")) {
                throw (RuntimeException) t; // said already; the attach tool gets an error code
            }
            // AgentStart reports its own errors; this is a class that did not load or link
            System.err.println("kfr: not recording: the agent did not load (" + t + "); the JVM runs on without kfr");
        }
    }
}
