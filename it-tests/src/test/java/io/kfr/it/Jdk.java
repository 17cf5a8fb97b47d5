package io.kfr.it;

/** The JDKs every end-to-end test runs: the build JDK's release (17) and 25. */
public enum Jdk implements JdkHome {
    JDK17("kfr.jdk17.home", "/usr/lib/jvm/java-17-openjdk-amd64"),
    JDK25("kfr.jdk25.home", "/usr/lib/jvm/temurin-25-jdk-amd64");

    private final String property;
    private final String fallback;

    Jdk(String property, String fallback) {
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
