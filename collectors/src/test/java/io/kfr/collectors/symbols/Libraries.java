package io.kfr.collectors.symbols;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Paths of real libraries as this process maps them. */
final class Libraries {
    /** The mapped file whose name is {@code fileName}, from /proc/self/maps; null if none. */
    static Path mapped(String fileName) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
            int slash = line.indexOf('/');
            if (slash > 0 && line.endsWith("/" + fileName)) return Path.of(line.substring(slash));
        }
        return null;
    }

    static Path libjvm() {
        return Path.of(System.getProperty("java.home"), "lib", "server", "libjvm.so");
    }

    static final Path LIBZ = Path.of("/usr/lib/x86_64-linux-gnu/libz.so.1");
}
