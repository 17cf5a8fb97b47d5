package io.kfr.agent;

/**
 * Whether this JVM can run kfr's classes, decided before any of them is loaded. This class and
 * the two entry points ({@link AgentMain}, {@link CliMain}) are compiled for Java 8 (class file
 * version 52) and use nothing newer: a -javaagent whose premain class fails to load stops the JVM
 * from starting, and a profiler must never do that. The rest of kfr is compiled for 11 (the
 * commands that read a recording: 17).
 */
final class JdkGate {
    /** The release kfr's classes are compiled for (maven.compiler.release). */
    static final int RELEASE = 11;
    /** Test-only: raises the gate, to exercise it on a JDK that would pass. */
    static final String TEST_MIN = "kfr.test.minJdk";

    private JdkGate() {
    }

    /** Why kfr cannot run in this JVM ("this JVM"/"this java" is what, names it), or null if it can. */
    static String whyNot(String what, boolean needsJfr) {
        int min = RELEASE;
        try {
            min = Math.max(min, Integer.parseInt(System.getProperty(TEST_MIN, "0")));
        } catch (RuntimeException e) {
            // a malformed test property: the real gate
        }
        String spec = System.getProperty("java.specification.version", "?");
        int feature = feature(spec);
        String vm = System.getProperty("java.vm.name", "?") + " " + System.getProperty("java.vm.version", "");
        if (feature < min) {
            return what + " is Java " + spec + " (" + vm.trim() + "); kfr needs Java " + min + " or later";
        }
        if (needsJfr && !present("jdk.jfr.FlightRecorder")) {
            return what + " (" + vm.trim() + ") has no JDK Flight Recorder (module jdk.jfr), where kfr writes its events";
        }
        return null;
    }

    /** "1.8" -> 8, "11" -> 11, "17" -> 17; -1 if unreadable. */
    static int feature(String spec) {
        try {
            String s = spec.startsWith("1.") ? spec.substring(2) : spec;
            int dot = s.indexOf('.');
            return Integer.parseInt(dot < 0 ? s : s.substring(0, dot));
        } catch (RuntimeException e) {
            return -1;
        }
    }

    private static boolean present(String className) {
        try {
            Class.forName(className, false, ClassLoader.getSystemClassLoader());
            return true;
        } catch (Throwable t) {
            return false;
        }
    }

    /** Calls a static method of one of kfr's (Java 11) classes by name: no reference to it here. */
    static void call(String className, String method, Class<?>[] types, Object[] args) throws Throwable {
        try {
            Class.forName(className, true, JdkGate.class.getClassLoader()).getMethod(method, types).invoke(null, args);
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
