package io.kfr.collectors.threads;

import java.lang.reflect.Method;

/**
 * The JVM's thread dump (the Thread.print diagnostic command) straight from the JDK's diagnostic
 * command implementation, without the platform MBean server: that server registers every platform
 * MBean and keeps about 0.5 MB of the application's heap live, for the one call kfr needs. It needs
 * jdk.management's com.sun.management.internal open to kfr (the same class and methods on JDK 11
 * to 25), which the agent does at its start with its
 * Instrumentation ({@link #PACKAGE}); without that (or on a JDK where the implementation differs),
 * {@link #available()} is false and the thread directory goes through the MBean server.
 */
public final class JvmThreadDump {
    /** The module and package the agent opens to kfr's classes. */
    public static final String MODULE = "jdk.management";
    public static final String PACKAGE = "com.sun.management.internal";

    private static final Object COMMANDS;
    private static final Method EXECUTE;

    static {
        Object commands = null;
        Method execute = null;
        try {
            Class<?> impl = Class.forName(PACKAGE + ".DiagnosticCommandImpl");
            Method instance = impl.getDeclaredMethod("getDiagnosticCommandMBean");
            instance.setAccessible(true);
            commands = instance.invoke(null);
            execute = impl.getDeclaredMethod("executeDiagnosticCommand", String.class);
            execute.setAccessible(true);
        } catch (Exception | LinkageError e) { // not opened, or another implementation
            commands = null;
            execute = null;
        }
        COMMANDS = commands;
        EXECUTE = execute;
    }

    private JvmThreadDump() {
    }

    static boolean available() {
        return EXECUTE != null;
    }

    /** The dump as jcmd's Thread.print prints it; throws what the command threw. */
    static String threadPrint() throws Exception {
        return (String) EXECUTE.invoke(COMMANDS, "Thread.print");
    }
}
