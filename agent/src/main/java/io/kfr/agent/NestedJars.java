package io.kfr.agent;

import io.kfr.collectors.PrivateCache;
import io.kfr.collectors.PrivateFiles;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Class loaders of the code that a profiled JVM does not run unless asked: it lives in jars nested
 * in the agent jar (agent/pom.xml, nest-analysis). A profiled JVM has the agent jar on its class
 * path and holds that jar's whole directory in its heap; JMC's libraries (~2,500 entries) and the
 * export's protobuf and OTLP classes (~1,100) would be most of it.
 * <ul>
 * <li>{@link #export()}: the profile writers with protobuf and OTLP, for {@code export=} and
 * {@code convert};</li>
 * <li>{@link #analysis()}: the commands that read recordings with JMC's libraries, and the export's
 * jar beside them (convert is one of those commands).</li>
 * </ul>
 * A nested jar is written once per build into the user's private cache (named by its size and CRC),
 * else into a temporary file deleted at exit. Run from a build's class directories (unit tests)
 * there are no nested jars and everything is on the class path itself.
 */
public final class NestedJars {
    static final String ANALYSIS = "io/kfr/agent/analysis.jar";
    static final String EXPORT = "io/kfr/agent/export.jar";
    private static ClassLoader analysis;
    private static ClassLoader export;

    private NestedJars() {
    }

    public static synchronized ClassLoader analysis() throws IOException {
        if (analysis == null) {
            analysis = loader(ANALYSIS, EXPORT);
        }
        return analysis;
    }

    public static synchronized ClassLoader export() throws IOException {
        if (export == null) {
            export = loader(EXPORT);
        }
        return export;
    }

    private static ClassLoader loader(String... entries) throws IOException {
        ClassLoader agent = NestedJars.class.getClassLoader();
        Path agentJar = agentJar();
        List<URL> urls = new ArrayList<>();
        if (agentJar != null) {
            try (JarFile jar = new JarFile(agentJar.toFile())) {
                for (String entry : entries) {
                    JarEntry e = jar.getJarEntry(entry);
                    if (e != null) {
                        urls.add(extracted(jar, e).toUri().toURL());
                    }
                }
            }
        }
        return urls.isEmpty() ? agent : new URLClassLoader(urls.toArray(new URL[0]), agent);
    }

    /** The jar file this class came from; null when it came from a directory. */
    private static Path agentJar() {
        try {
            Path p = Path.of(NestedJars.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return Files.isRegularFile(p) ? p : null;
        } catch (URISyntaxException | RuntimeException e) {
            return null;
        }
    }

    private static Path extracted(JarFile jar, JarEntry e) throws IOException {
        String base = e.getName().substring(e.getName().lastIndexOf('/') + 1, e.getName().length() - ".jar".length());
        Path cache = PrivateCache.directory(true);
        if (cache != null) {
            Path kept = cache.resolve(base + "-" + Long.toHexString(e.getCrc()) + "-" + e.getSize() + ".jar");
            if (PrivateCache.ownedAndPrivate(kept, false) && Files.size(kept) == e.getSize()) {
                return kept;
            }
            Path part = PrivateFiles.file(cache, base + "-", ".part");
            try {
                copy(jar, e, part);
                return Files.move(part, kept, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(part);
            }
        }
        Path temp = PrivateFiles.file(Path.of(System.getProperty("java.io.tmpdir")), "kfr-" + base + "-", ".jar");
        temp.toFile().deleteOnExit();
        copy(jar, e, temp);
        return temp;
    }

    /** Into the existing file (which keeps its rw-------). */
    private static void copy(JarFile jar, JarEntry e, Path to) throws IOException {
        try (InputStream in = jar.getInputStream(e); OutputStream out = Files.newOutputStream(to)) {
            in.transferTo(out);
        }
    }
}
