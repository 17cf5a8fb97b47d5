package io.kfr.collectors;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.atomic.AtomicLong;

/**
 * New files and directories of this process's user only, under names no other file has: as
 * Files.createTempDirectory/createTempFile, without their SecureRandom, whose first use (seeding,
 * security providers) costs a JVM at start-up 0.1-0.3 s of CPU. The names need not be
 * unguessable: creation is exclusive (it fails on anything already there, a link included) and
 * is retried under the next name.
 */
public final class PrivateFiles {
    private static final AtomicLong NEXT = new AtomicLong(System.nanoTime() & 0xffffffL);

    private PrivateFiles() {
    }

    /** A new directory {@code dir/prefix<unique>}, rwx------. */
    public static Path directory(Path dir, String prefix) throws IOException {
        for (int tries = 0; ; tries++) {
            Path p = dir.resolve(prefix + Long.toString(NEXT.getAndIncrement(), 36));
            try {
                return Files.createDirectory(p, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (FileAlreadyExistsException e) {
                if (tries > 1000) throw e;
            }
        }
    }

    /** A new directory in java.io.tmpdir. */
    public static Path directory(String prefix) throws IOException {
        return directory(Path.of(System.getProperty("java.io.tmpdir")), prefix);
    }

    /** A new empty file {@code dir/prefix<unique>suffix}, rw-------. */
    public static Path file(Path dir, String prefix, String suffix) throws IOException {
        for (int tries = 0; ; tries++) {
            Path p = dir.resolve(prefix + Long.toString(NEXT.getAndIncrement(), 36) + suffix);
            try {
                return Files.createFile(p, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (FileAlreadyExistsException e) {
                if (tries > 1000) throw e;
            }
        }
    }
}
