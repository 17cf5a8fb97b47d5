package io.kfr.agent.cli;

import io.kfr.agent.NestedJars;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;

/**
 * The way to the commands that read a recording ({@code AnalysisCommands}, compiled for Java 17
 * because JMC's libraries are): by name, so that the rest of the command line runs on Java 11, and
 * through {@link NestedJars#analysis()}'s loader, which holds them and JMC's libraries. On an older java they
 * answer with one {@code kfr:} line and exit code 2.
 */
final class Analysis {
    static final int NEEDS = 17;
    private static final String COMMANDS = "io.kfr.agent.cli.AnalysisCommands";

    private Analysis() {
    }

    static boolean available() {
        return Runtime.version().feature() >= NEEDS;
    }

    static String usage() {
        if (!available()) {
            return "  summary, report, convert, demo: read a recording; they need Java " + NEEDS + " or later";
        }
        try {
            return (String) commands().getMethod("usage").invoke(null);
        } catch (ReflectiveOperationException | IOException e) {
            throw new IllegalStateException("the agent jar lacks its analysis commands", e);
        }
    }

    static int run(String command, String[] args) throws Exception {
        if (!available()) {
            System.err.println("kfr: " + command + " needs Java " + NEEDS + " or later (JMC's libraries); this java is "
                    + Runtime.version() + ": run it with a newer java (a recording from any JDK reads there)");
            return 2;
        }
        Thread self = Thread.currentThread();
        ClassLoader before = self.getContextClassLoader();
        try {
            Class<?> commands = commands();
            // JMC finds its rules through ServiceLoader, which looks in the context class loader
            self.setContextClassLoader(commands.getClassLoader());
            return (Integer) commands.getMethod("run", String.class, String[].class).invoke(null, command, args);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception) {
                throw (Exception) cause;
            }
            throw (Error) cause;
        } finally {
            self.setContextClassLoader(before);
        }
    }

    private static Class<?> commands() throws ClassNotFoundException, IOException {
        return Class.forName(COMMANDS, true, NestedJars.analysis());
    }
}
