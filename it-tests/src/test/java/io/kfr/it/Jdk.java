package io.kfr.it;

import java.nio.file.Files;
import java.nio.file.Path;

/** The JDKs the end-to-end tests run: the build JDK's release (17) and 25. */
public enum Jdk {
    JDK17("kfr.jdk17.home", "/usr/lib/jvm/java-17-openjdk-amd64"),
    JDK25("kfr.jdk25.home", "/usr/lib/jvm/temurin-25-jdk-amd64");

    private final String property;
    private final String fallback;

    Jdk(String property, String fallback) {
        this.property = property;
        this.fallback = fallback;
    }

    public Path home() {
        Path home = Path.of(System.getProperty(property, fallback));
        if (!Files.isExecutable(home.resolve("bin/java"))) {
            throw new IllegalStateException(name() + " not found at " + home + " (set -D" + property + ")");
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
