package io.kfr.agent.cli;

import io.kfr.collectors.PrivateCache;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * The class loader of the commands that read a recording and of JMC's libraries, which live in a jar
 * nested in the agent jar ({@value #ENTRY}): a profiled JVM has the agent jar on its class path and
 * holds that jar's whole directory in its heap, and ~2,500 entries of it would be JMC's, which only
 * the command line reads (agent/pom.xml, nest-analysis). The nested jar is written once per build
 * into the user's private cache (named by its size and CRC), else into a temporary file deleted at
 * exit. Run from a build's class directories (unit tests) there is no nested jar and the commands are
 * on the class path itself.
 */
final class AnalysisJar {
    static final String ENTRY = "io/kfr/agent/analysis.jar";
    private static ClassLoader loader;

    private AnalysisJar() {
    }

    static synchronized ClassLoader loader() throws IOException {
        if (loader == null) {
            ClassLoader agent = AnalysisJar.class.getClassLoader();
            Path agentJar = agentJar();
            Path nested = null;
            if (agentJar != null) {
                try (JarFile jar = new JarFile(agentJar.toFile())) {
                    JarEntry e = jar.getJarEntry(ENTRY);
                    nested = e == null ? null : extracted(jar, e);
                }
            }
            loader = nested == null ? agent : new URLClassLoader(new URL[] {nested.toUri().toURL()}, agent);
        }
        return loader;
    }

    /** The jar file this class came from; null when it came from a directory. */
    private static Path agentJar() {
        try {
            Path p = Path.of(AnalysisJar.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return Files.isRegularFile(p) ? p : null;
        } catch (URISyntaxException | RuntimeException e) {
            return null;
        }
    }

    private static Path extracted(JarFile jar, JarEntry e) throws IOException {
        Path cache = PrivateCache.directory(true);
        if (cache != null) {
            Path kept = cache.resolve("analysis-" + Long.toHexString(e.getCrc()) + "-" + e.getSize() + ".jar");
            if (PrivateCache.ownedAndPrivate(kept, false) && Files.size(kept) == e.getSize()) {
                return kept;
            }
            Path part = Files.createTempFile(cache, "analysis-", ".part");
            try {
                copy(jar, e, part);
                return Files.move(part, kept, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(part);
            }
        }
        Path temp = Files.createTempFile("kfr-analysis-", ".jar");
        temp.toFile().deleteOnExit();
        copy(jar, e, temp);
        return temp;
    }

    /** Into the existing file (which keeps its rw------- from createTempFile). */
    private static void copy(JarFile jar, JarEntry e, Path to) throws IOException {
        try (InputStream in = jar.getInputStream(e); OutputStream out = Files.newOutputStream(to)) {
            in.transferTo(out);
        }
    }
}
