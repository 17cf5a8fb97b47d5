package io.kfr.agent;

import io.kfr.collectors.threads.JvmThreadDump;

import java.lang.instrument.Instrumentation;
import java.util.Map;
import java.util.Set;

/**
 * The agent's entry points once {@code io.kfr.agent.AgentMain} (compiled for Java 8, so that it loads on any
 * JVM) has checked that this JVM can run kfr. Whatever goes wrong, the JVM runs on: errors
 * become one line on stderr, never an exception out of premain (which would abort the JVM's start).
 * <ul>
 * <li>premain (-javaagent:kfr-agent.jar=options): records with the options and opens the control
 * channel, so that status, dump and stop work on this JVM too;</li>
 * <li>agentmain "control" (what {@code kfr start <pid>} loads, once per JVM): only makes sure the
 * control channel runs; the recording is then started through it;</li>
 * <li>agentmain with options (jcmd JVMTI.agent_load or another attach tool): as premain.</li>
 * </ul>
 */
public final class AgentStart {
    /** The agent argument with which the command line loads the agent. */
    public static final String CONTROL = "control";

    private AgentStart() {
    }

    public static void premain(String args, Instrumentation inst) {
        openJdkInternals(inst);
        Controller.INSTANCE.startAtLaunch(args, true);
    }

    /**
     * @throws AgentRefused when options were given and kfr did not start: the JDK then answers the
     *         attach tool with an error (jcmd JVMTI.agent_load: "return code: 102" instead of 0), the
     *         only part of an agent's outcome that reaches jcmd; the reason is the one line on the
     *         JVM's stderr. The JVM runs on.
     */
    public static void agentmain(String args, Instrumentation inst) {
        openJdkInternals(inst);
        if (CONTROL.equals(args)) {
            Controller.INSTANCE.openChannel();
        } else {
            String notStarted = Controller.INSTANCE.startAtLaunch(args, false);
            if (notStarted != null) {
                throw new AgentRefused(notStarted);
            }
        }
    }

    /**
     * Opens the JDK internals kfr reads to kfr's classes: the diagnostic command implementation,
     * for the JVM's thread dump without the platform MBean server and its ~0.5 MB of live heap
     * ({@link JvmThreadDump}). Refused or absent: kfr takes the MBean server's way.
     */
    private static void openJdkInternals(Instrumentation inst) {
        try {
            ModuleLayer.boot().findModule(JvmThreadDump.MODULE).ifPresent(m -> inst.redefineModule(m, Set.of(), Map.of(),
                    Map.of(JvmThreadDump.PACKAGE, Set.of(AgentStart.class.getModule())), Set.of(), Map.of()));
        } catch (RuntimeException | LinkageError e) {
            // the thread directory uses the MBean server
        }
    }
}
