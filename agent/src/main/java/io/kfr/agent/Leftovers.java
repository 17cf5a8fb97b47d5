package io.kfr.agent;

import io.kfr.agent.control.ChannelPaths;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What JVMs that died without running their shutdown hooks (SIGKILL, Runtime.halt, a crash) left
 * behind: kfr's work directories (spool, JVM recording), the directory of their libkfr.so copy
 * (1.2 MB) and their control socket. Every such name carries the JVM's pid; at the next start kfr
 * removes this user's entries whose JVM is gone. A live pid is left alone even if it was reused.
 */
final class Leftovers {
    /** kfr-session-&lt;pid&gt;-..., .kfr-session-&lt;pid&gt;-... (next to a file=), kfr-lib-&lt;pid&gt;-... */
    private static final Pattern NAME = Pattern.compile("\\.?kfr-(?:session|lib)-(\\d+)-.*");
    private static final Pattern SOCKET = Pattern.compile("(\\d+)\\.sock");

    private Leftovers() {
    }

    /** Removes dead JVMs' leftovers from {@code dirs} and the socket directory; never throws. */
    static void clean(Path... dirs) {
        try {
            int uid = ChannelPaths.currentUid();
            for (Path dir : dirs) {
                if (dir != null) {
                    clean(dir, NAME, uid);
                }
            }
            Path sockets = ChannelPaths.directory(uid);
            if (ChannelPaths.check(sockets, uid) == null) {
                clean(sockets, SOCKET, uid);
            }
        } catch (IOException | RuntimeException e) {
            // leftovers are harmless: the next start tries again
        }
    }

    private static void clean(Path dir, Pattern pattern, int uid) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                Matcher m = pattern.matcher(p.getFileName().toString());
                if (!m.matches() || alive(Long.parseLong(m.group(1)))) {
                    continue;
                }
                if ((Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS) != uid) {
                    continue;
                }
                deleteTree(p);
            }
        } catch (NumberFormatException e) {
            // not ours after all
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
