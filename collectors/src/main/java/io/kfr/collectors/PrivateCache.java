package io.kfr.collectors;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * kfr's directory in the user's cache ({@code $XDG_CACHE_HOME/kfr}, else {@code ~/.cache/kfr}):
 * used only when it is this user's own, not a link and writable by nobody else.
 */
public final class PrivateCache {
    private PrivateCache() {
    }

    /** The directory, created (rwx------) if {@code create}; null if there is no safe one. */
    public static Path directory(boolean create) {
        try {
            String base = System.getenv("XDG_CACHE_HOME");
            Path cache = base != null && base.startsWith("/") ? Path.of(base)
                    : Path.of(System.getProperty("user.home"), ".cache");
            Path dir = cache.resolve("kfr");
            if (create && !Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(cache);
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            return ownedAndPrivate(dir, true) ? dir : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Not a link, owned by this process's user, writable by nobody else. */
    public static boolean ownedAndPrivate(Path p, boolean directory) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        Set<PosixFilePermission> perms = a.permissions();
        return (directory ? a.isDirectory() : a.isRegularFile())
                && a.owner().getName().equals(System.getProperty("user.name"))
                && !perms.contains(PosixFilePermission.GROUP_WRITE) && !perms.contains(PosixFilePermission.OTHERS_WRITE);
    }
}
