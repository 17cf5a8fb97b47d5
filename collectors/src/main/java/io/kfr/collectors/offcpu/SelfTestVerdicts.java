package io.kfr.collectors.offcpu;

import io.kfr.collectors.PrivateCache;

import io.kfr.collectors.natives.NativeLibrary;
import io.kfr.collectors.symbols.BuildIds;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32;

/**
 * Passed self-tests, remembered per JVM build and kfr build: the self-test checks how kfr reads one
 * libjvm's layout, which is the same in every JVM started from that libjvm, so a JVM whose libjvm
 * (GNU build-id), VM version and mode and kfr (libkfr.so's content, the Java classes' build) match a passed
 * test needs no test of its own. Only passes are kept: a failure, which may be a loaded machine's
 * time-out, is tried again by the next JVM. Kept in {@code $XDG_CACHE_HOME/kfr} (or
 * {@code ~/.cache/kfr}), a directory of the user's own that nobody else may write: one whose owner
 * or permissions are otherwise is neither read nor written, and the test runs. Anything unexpected
 * (no build-id, an unreadable file) means no cache, never a wrong verdict.
 */
final class SelfTestVerdicts {
    private static final String FORMAT = "kfr-javaframes-selftest 1";

    private SelfTestVerdicts() {
    }

    /** The key for this JVM with the loaded libkfr, or null when there is none (then nothing is cached). */
    static String key() {
        String jvm = libjvmBuildId();
        String kfr = kfrBuild();
        if (jvm == null || kfr == null) {
            return null;
        }
        // java.vm.info: "mixed mode", "interpreted mode" (-Xint: a pass without compiled frames) or
        // "compiled mode" (-Xcomp) are different tests
        return "libjvm " + jvm + " vm " + System.getProperty("java.vm.version") + " (" + System.getProperty("java.vm.info")
                + ") kfr " + kfr;
    }

    /** The outcome of a passed test under {@code key}, or null. */
    static String passed(String key) {
        Path file = file(key, false);
        if (file == null) {
            return null;
        }
        try {
            if (!PrivateCache.ownedAndPrivate(file, false)) {
                return null;
            }
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            if (lines.size() == 3 && lines.get(0).equals(FORMAT) && lines.get(1).equals(key)
                    && lines.get(2).startsWith("passed (")) {
                return lines.get(2);
            }
        } catch (IOException | RuntimeException e) {
            // no verdict: the test runs
        }
        return null;
    }

    /** Remembers a passed test's outcome; failing to write only means the next JVM tests again. */
    static void remember(String key, String outcome) {
        Path file = file(key, true);
        if (file == null) {
            return;
        }
        try {
            Path tmp = Files.createTempFile(file.getParent(), ".selftest-", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try {
                Files.writeString(tmp, FORMAT + "\n" + key + "\n" + outcome + "\n", StandardCharsets.UTF_8);
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException | RuntimeException e) {
            // not remembered
        }
    }

    /** The verdict's file: one per key (its CRC in the name), in a private directory; null if there is no safe one. */
    private static Path file(String key, boolean create) {
        Path dir = PrivateCache.directory(create);
        if (dir == null) {
            return null;
        }
        CRC32 crc = new CRC32();
        crc.update(key.getBytes(StandardCharsets.UTF_8));
        return dir.resolve("javaframes-" + Long.toHexString(crc.getValue()) + ".selftest");
    }

    /** libjvm's build-id, from the file this process mapped. */
    private static String libjvmBuildId() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
                int at = line.indexOf('/');
                if (at > 0 && line.endsWith("/libjvm.so")) {
                    return BuildIds.of(Path.of(line.substring(at)));
                }
            }
        } catch (IOException | RuntimeException e) {
            // none
        }
        return null;
    }

    /** libkfr.so's CRC and size, and the Java classes' build (their jar's size and time); null outside a jar. */
    private static String kfrBuild() {
        Path lib = NativeLibrary.path();
        if (lib == null) {
            return null;
        }
        try (InputStream in = Files.newInputStream(lib)) {
            CRC32 crc = new CRC32();
            byte[] buf = new byte[1 << 16];
            long size = 0;
            for (int n; (n = in.read(buf)) > 0; size += n) {
                crc.update(buf, 0, n);
            }
            Path classes = Path.of(SelfTestVerdicts.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (!Files.isRegularFile(classes)) {
                return null; // classes in a directory (a development build): no one file says which build
            }
            return Long.toHexString(crc.getValue()) + "-" + size + " classes " + Files.size(classes) + "@"
                    + Files.getLastModifiedTime(classes).toMillis();
        } catch (IOException | RuntimeException | java.net.URISyntaxException e) {
            return null;
        }
    }
}
