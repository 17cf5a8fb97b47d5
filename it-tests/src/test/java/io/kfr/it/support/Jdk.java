package io.kfr.it.support;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A JDK the tests start JVMs or tools of, found where the build's system property names it (or
 * where it is installed without one). Every end-to-end test runs on {@link #everyTest} (the build
 * JDK's release, 17, and 25); JDK 11 and 21 only where they matter (Java frames ground truth,
 * stress, the agent's gate), to keep the suite's time down: dev/install-jdks.sh installs them from
 * Debian's archives, and JDK 21 runs through trixie's glibc (its bin/ are wrappers around that ld.so).
 */
public enum Jdk {
    JDK17("kfr.jdk17.home", "/usr/lib/jvm/java-17-openjdk-amd64"),
    JDK25("kfr.jdk25.home", "/usr/lib/jvm/temurin-25-jdk-amd64"),
    /** Debian 11's openjdk-11. */
    JDK11("kfr.jdk11.home", "/opt/kfr-jdks/jdk11"),
    /** Debian 13's openjdk-21. */
    JDK21("kfr.jdk21.home", "/opt/kfr-jdks/jdk21");

    /** The JDKs every end-to-end test runs. */
    public static List<Jdk> everyTest() {
        return List.of(JDK17, JDK25);
    }

    /** The JDKs Java frames are verified on (the ground-truth and stress tests' matrix). */
    public static List<Jdk> javaFrames() {
        return List.of(JDK11, JDK17, JDK21, JDK25);
    }

    /** The system property that names the home, and where it is without one. */
    private final String property;
    private final String fallback;

    Jdk(String property, String fallback) {
        this.property = property;
        this.fallback = fallback;
    }

    public Path home() {
        Path home = Path.of(System.getProperty(property, fallback));
        if (!Files.isExecutable(home.resolve("bin/java"))) {
            throw new IllegalStateException(name() + " not found at " + home + " (set -D" + property
                    + "; dev/install-jdks.sh installs JDK 11 and 21)");
        }
        return home;
    }

    public Path java() {
        return home().resolve("bin/java");
    }

    public Path jfrTool() {
        return home().resolve("bin/jfr");
    }
}
