package io.kfr.agent.control;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Where a JVM's kfr control socket lives: /tmp/.kfr-&lt;uid&gt;/&lt;pid&gt;.sock, in a directory only that
 * user may enter. Fixed under /tmp (not java.io.tmpdir) so that the command line finds it whatever
 * the target's settings. Both sides check the directory before use: a directory another user made
 * (or a symbolic link) could hand a request to a stranger's socket.
 */
public final class ChannelPaths {
    private static final Path ROOT = Path.of("/tmp");
    private static final Set<PosixFilePermission> PRIVATE = PosixFilePermissions.fromString("rwx------");

    private ChannelPaths() {
    }

    public static Path directory(int uid) {
        return ROOT.resolve(".kfr-" + uid);
    }

    public static Path socket(int uid, long pid) {
        return directory(uid).resolve(pid + ".sock");
    }

    /** Creates the directory (0700) if missing and checks it; the problem in one line, or null. */
    static String prepare(int uid) {
        Path dir = directory(uid);
        try {
            if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                try {
                    Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PRIVATE));
                } catch (java.nio.file.FileAlreadyExistsException raced) {
                    // another JVM of this user made it meanwhile: checked below
                }
            }
        } catch (IOException e) {
            return "cannot create " + dir + ": " + e.getMessage();
        }
        return check(dir, uid);
    }

    /** Null when {@code dir} is a real directory owned by {@code uid} with mode 0700, else why not. */
    public static String check(Path dir, int uid) {
        try {
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                return dir + " is not a directory (a symbolic link or a file); remove it";
            }
            int owner = (Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            if (owner != uid) {
                return dir + " belongs to uid " + owner + ", not " + uid + "; remove it";
            }
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
            if (!mode.equals(PRIVATE)) {
                return dir + " has mode " + PosixFilePermissions.toString(mode) + ", not rwx------; remove it";
            }
            return null;
        } catch (IOException | UnsupportedOperationException e) {
            return "cannot check " + dir + ": " + e.getMessage();
        }
    }

    /** The uid this process runs as (the owner of /proc/self). */
    public static int currentUid() throws IOException {
        return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    }
}
