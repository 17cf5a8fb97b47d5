package io.kfr.agent;

import java.lang.instrument.Instrumentation;

/**
 * Entry points of the agent jar. Whatever goes wrong, the JVM runs on: errors become one line on
 * stderr, never an exception out of premain (which would abort the JVM's start).
 */
public final class AgentMain {
    private static Session session;

    private AgentMain() {
    }

    public static void premain(String args, Instrumentation inst) {
        start(args);
    }

    public static void agentmain(String args, Instrumentation inst) {
        start(args);
    }

    private static synchronized void start(String args) {
        try {
            if (session != null) {
                Log.error("already recording in this JVM; options '" + args + "' ignored");
                return;
            }
            AgentOptions options = AgentOptions.parse(args);
            Log.quiet(options.quiet());
            if (options.file() != null) {
                String problem = OutputFile.problem(options.file());
                if (problem != null) {
                    Log.error(problem + " (kfr not started)");
                    return;
                }
            }
            Session s = Session.start(options);
            session = s;
            Thread hook = new Thread(() -> {
                try {
                    s.stop();
                } catch (Throwable t) {
                    Log.error("stopping failed: " + t);
                }
            }, "kfr-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
        } catch (OptionException e) {
            Log.error(e.getMessage() + " (kfr not started)");
        } catch (Throwable t) {
            Log.error("not started: " + t);
        }
    }
}
