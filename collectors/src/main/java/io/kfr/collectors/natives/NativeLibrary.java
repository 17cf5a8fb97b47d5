package io.kfr.collectors.natives;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Loads libkfr.so once per JVM: from the system property {@code kfr.library} when set (development),
 * otherwise extracted from this jar's resource io/kfr/native/linux-x86-64/libkfr.so into a private
 * temporary file that is deleted at exit.
 */
public final class NativeLibrary {
    static final String RESOURCE = "/io/kfr/native/linux-x86-64/libkfr.so";
    private static volatile String loadError;
    private static volatile boolean loaded;
    private static volatile Path path;
    private static final long SMALL_TMPDIR_BYTES = 64L << 20;
    /** The locks on the library copies' directories (see the agent's Leftovers), held until exit. */
    private static final java.util.List<java.nio.channels.FileChannel> LIBRARY_LOCKS = new java.util.ArrayList<>();

    private NativeLibrary() {
    }

    /** Loads the library; returns null on success or a one-line reason. */
    public static synchronized String load() {
        if (loaded) {
            return null;
        }
        if (loadError != null) {
            return loadError;
        }
        try {
            String arch = System.getProperty("os.arch");
            if (!"Linux".equals(System.getProperty("os.name")) || !("amd64".equals(arch) || "x86_64".equals(arch))) {
                throw new IOException("kfr runs on Linux x86_64 only (this is " + System.getProperty("os.name") + " " + arch + ")");
            }
            String override = System.getProperty("kfr.library");
            Path lib = override != null ? Path.of(override).toAbsolutePath() : extractCopy(RESOURCE, "libkfr.so");
            System.load(lib.toString());
            path = lib;
            KfrNative.version();
            loaded = true;
            return null;
        } catch (IOException | UnsatisfiedLinkError | SecurityException e) {
            loadError = "cannot load libkfr.so: " + e.getMessage();
            return loadError;
        }
    }

    /** The file libkfr was loaded from, or null if it is not loaded. */
    public static Path path() {
        return loaded ? path : null;
    }

    /** True once libkfr is loaded in this JVM. */
    public static boolean isLoaded() {
        return loaded;
    }

    /**
     * After the collectors stopped: returns the memory their threads freed to the system, so that
     * start/stop cycles leave the JVM's resident size flat. Does nothing if the library never loaded.
     */
    public static void releaseFreedMemory() {
        if (loaded) {
            KfrNative.releaseFreedMemory();
        }
    }

    /**
     * Copies a library resource of this jar into a private directory of its own (kfr-lib-<pid>-…
     * under {@link #copyDirectory}), removed at exit, its lock held for the JVM's life; the copy's path.
     */
    public static synchronized Path extractCopy(String resource, String fileName) throws IOException {
        try (InputStream in = NativeLibrary.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("resource " + resource + " missing from the agent jar");
            }
            // the pid in the name: a killed JVM's copy is removed at the next start (Leftovers)
            Path dir = io.kfr.collectors.PrivateFiles.directory(copyDirectory(),
                    "kfr-lib-" + ProcessHandle.current().pid() + "-");
            Path lib = dir.resolve(fileName);
            // deleteOnExit runs in reverse order of registration: the directory last, once empty
            // (registered the other way round it stayed behind, empty, after every run)
            dir.toFile().deleteOnExit();
            lib.toFile().deleteOnExit();
            Files.copy(in, lib, StandardCopyOption.REPLACE_EXISTING);
            // held for the JVM's life: a JVM in another PID namespace sharing /tmp keeps its hands off
            Path lock = dir.resolve(".lock");
            lock.toFile().deleteOnExit();
            try {
                java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(lock,
                        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
                LIBRARY_LOCKS.add(channel);
                channel.tryLock();
            } catch (IOException | RuntimeException e) {
                // only the pid in the name protects it then
            }
            return lib;
        }
    }

    /**
     * Where the library's copy goes: java.io.tmpdir, unless it has too little room, since the copy
     * (about 1.5 MB) stays for the JVM's life and a small tmpdir is where JFR keeps its repository;
     * then kfr's private cache directory, if there is a safe one.
     */
    public static Path copyDirectory() {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        try {
            if (Files.getFileStore(tmp).getUsableSpace() >= SMALL_TMPDIR_BYTES) {
                return tmp;
            }
        } catch (IOException | RuntimeException e) {
            return tmp;
        }
        Path cache = io.kfr.collectors.PrivateCache.directory(true);
        return cache != null ? cache : tmp;
    }
}
