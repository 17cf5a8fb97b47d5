package io.kfr.agent.convert;

import jdk.jfr.consumer.RecordedEvent;

import java.nio.file.Path;

/**
 * What the JVM's own recording says about the process, for the resources of the profiles: its
 * pid, main class (or jar), Java VM and start time. Read from jdk.JVMInformation and
 * jdk.InitialSystemProperty; each stays null when the recording does not hold it.
 */
final class RecordingFacts {
    Long pid;
    String mainClass;
    String runtimeName;
    String runtimeVersion;
    /** Epoch nanoseconds; relative --from/--to count from here. */
    Long jvmStartNanos;

    /** Takes what it needs from an event of the JVM's recording; ignores every other event. */
    void offer(RecordedEvent e) {
        switch (e.getEventType().getName()) {
            case "jdk.JVMInformation" -> {
                if (pid == null && e.hasField("pid")) {
                    pid = e.getLong("pid");
                }
                if (mainClass == null && e.hasField("javaArguments")) {
                    mainClass = mainOf(e.getString("javaArguments"));
                }
                if (jvmStartNanos == null && e.hasField("jvmStartTime") && e.getInstant("jvmStartTime") != null) {
                    java.time.Instant t = e.getInstant("jvmStartTime");
                    jvmStartNanos = t.getEpochSecond() * 1_000_000_000L + t.getNano();
                }
            }
            case "jdk.InitialSystemProperty" -> {
                // the JVM records its own properties only: java.vm.*, not java.runtime.* (set later
                // by the class library); the VM's version is the runtime's (17.0.15+6-Debian-1deb12u1)
                String key = e.getString("key");
                if ("java.vm.version".equals(key) && runtimeVersion == null) {
                    runtimeVersion = e.getString("value");
                } else if ("java.vm.name".equals(key) && runtimeName == null) {
                    runtimeName = e.getString("value");
                }
            }
            default -> {
            }
        }
    }

    /** The main class of "com.example.Main arg1", or the jar's name of "app.jar arg1" (as the JVM writes -jar). */
    static String mainOf(String javaArguments) {
        if (javaArguments == null || javaArguments.isBlank()) {
            return null;
        }
        String first = javaArguments.strip().split("\\s+", 2)[0];
        if (first.endsWith(".jar")) {
            Path name = Path.of(first).getFileName();
            String file = name == null ? first : name.toString();
            return file.substring(0, file.length() - ".jar".length());
        }
        return first;
    }
}
