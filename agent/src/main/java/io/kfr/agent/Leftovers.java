package io.kfr.agent;

import io.kfr.agent.control.ChannelPaths;
import io.kfr.agent.control.LocalSocket;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What JVMs that died without running their shutdown hooks (SIGKILL, Runtime.halt, a crash) left
 * behind: kfr's work directories (spool, JVM recording), the directory of their libkfr.so copy
 * (1.2 MB) and their control socket. Every such name carries the JVM's pid; at the next start kfr
 * removes this user's entries whose JVM is gone. A live pid is left alone even if it was reused;
 * a dead pid is not enough either, since a JVM in another PID namespace (a container sharing this
 * /tmp) may have that number: a work directory is removed only if nobody holds the lock in its
 * {@value #LOCK} file, a socket only if nobody accepts a connection on it.
 */
final class Leftovers {
    /** Compiled when cleaning (the kfr-start thread), not when premain locks its own directory. */
    private static final class Names {
        /** kfr-session-&lt;pid&gt;-..., .kfr-session-&lt;pid&gt;-... (next to a file=), kfr-lib-&lt;pid&gt;-... */
        static final Pattern NAME = Pattern.compile("\\.?kfr-(?:session|lib)-(\\d+)-.*");
        static final Pattern SOCKET = Pattern.compile("(\\d+)\\.sock");
    }
    /** Held (fcntl lock) by the JVM that owns a work directory, for as long as it uses it. */
    static final String LOCK = ".lock";

    private Leftovers() {
    }

    /** Removes dead JVMs' leftovers from {@code dirs} and the socket directory; never throws. */
    static void clean(Path... dirs) {
        try {
            int uid = ChannelPaths.currentUid();
            for (Path dir : dirs) {
                if (dir != null) {
                    clean(dir, Names.NAME, uid);
                }
            }
            Path sockets = ChannelPaths.directory(uid);
            if (ChannelPaths.check(sockets, uid) == null) {
                clean(sockets, Names.SOCKET, uid);
            }
        } catch (IOException | RuntimeException e) {
            // leftovers are harmless: the next start tries again
        }
    }

    private static void clean(Path dir, Pattern pattern, int uid) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        DeadSpools spools = new DeadSpools();
        try {
            cleanEntries(dir, pattern, uid, spools);
        } finally {
            spools.keepNewest();
        }
    }

    private static void cleanEntries(Path dir, Pattern pattern, int uid, DeadSpools spools) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                Matcher m = pattern.matcher(p.getFileName().toString());
                if (!m.matches() || alive(Long.parseLong(m.group(1)))) {
                    continue;
                }
                if ((Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS) != uid) {
                    continue;
                }
                if (pattern == Names.SOCKET ? accepts(p) : locked(p)) {
                    continue;
                }
                if (spools.offer(p)) {
                    continue; // decided once all are seen: the newest may be kept for recovery
                }
                deleteTree(p);
            }
        } catch (NumberFormatException e) {
            // not ours after all
        }
    }

    /** Someone holds the directory's lock (a JVM using it, possibly in another PID namespace). */
    private static boolean locked(Path dir) {
        Path lock = dir.resolve(LOCK);
        if (!Files.isRegularFile(lock, LinkOption.NOFOLLOW_LINKS)) {
            return false; // never locked, or its JVM died before locking it
        }
        try (FileChannel ch = FileChannel.open(lock, StandardOpenOption.WRITE)) {
            return ch.tryLock() == null; // released with the channel
        } catch (IOException | RuntimeException e) {
            return true; // when in doubt, keep it
        }
    }

    /** A JVM answers on the socket (connecting is harmless: an empty request gets an error reply). */
    private static boolean accepts(Path socket) {
        try (LocalSocket ch = LocalSocket.connect(socket)) {
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Locks {@code dir}'s lock file for this JVM; the lock goes when the returned channel is closed
     * or the JVM ends, however it ends. Null if it cannot be made (then only the pid protects it).
     */
    static FileChannel lock(Path dir) {
        try {
            FileChannel ch = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            if (ch.tryLock() == null) {
                ch.close();
                return null;
            }
            return ch;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).isPresent();
    }

    static void deleteTree(Path p) {
        if (Files.isSymbolicLink(p) || !Files.isDirectory(p)) {
            p.toFile().delete();
            return;
        }
        try (Stream<Path> files = Files.walk(p)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException | RuntimeException ignored) {
            // best effort
        }
    }
}
