package io.kfr.it;

import java.nio.file.Files;
import java.nio.file.Path;

/** A JDK the tests start JVMs or tools of: {@link Jdk} (every test), {@link MoreJdk} (chosen tests). */
public interface JdkHome {
    String name();

    /** The system property that names the home, and where it is without one. */
    String property();

    String fallback();

    default Path home() {
        Path home = Path.of(System.getProperty(property(), fallback()));
        if (!Files.isExecutable(home.resolve("bin/java"))) {
            throw new IllegalStateException(name() + " not found at " + home + " (set -D" + property()
                    + "; dev/install-jdks.sh installs JDK 11 and 21)");
        }
        return home;
    }

    default Path java() {
        return home().resolve("bin/java");
    }

    default Path jfrTool() {
        return home().resolve("bin/jfr");
    }
}
