package io.kfr.it;

import java.util.List;

/**
 * JDKs only the tests where they matter run (Java frames ground truth, stress, the agent's gate),
 * to keep the suite's time down. Installed by dev/install-jdks.sh from Debian's archives; JDK 21
 * runs through trixie's glibc (its bin/ are wrappers around that ld.so).
 */
public enum MoreJdk implements JdkHome {
    /** Debian 11's openjdk-11: kfr's agent refuses it with one line (its classes are Java 17). */
    JDK11("kfr.jdk11.home", "/opt/kfr-jdks/jdk11"),
    /** Debian 13's openjdk-21. */
    JDK21("kfr.jdk21.home", "/opt/kfr-jdks/jdk21");

    /** The JDKs Java frames are verified on (the ground-truth and stress tests' matrix). */
    public static List<JdkHome> javaFrames() {
        return List.of(Jdk.JDK17, JDK21, Jdk.JDK25);
    }

    private final String property;
    private final String fallback;

    MoreJdk(String property, String fallback) {
        this.property = property;
        this.fallback = fallback;
    }

    @Override
    public String property() {
        return property;
    }

    @Override
    public String fallback() {
        return fallback;
    }
}
