package io.kfr.agent.workingset;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * {@code prefetcher <dir>}: writes kfr-prefetch, the prefetcher as a native program, into a
 * directory. {@code run} and {@code prefetch} are a JVM of their own, and on a slow disk that JVM's
 * own cold start (libjvm, the CDS archive, this jar, demand-paged) comes before any prefetch: 2.2 s
 * at 200 reads/s here. kfr-prefetch starts in milliseconds and takes the same set file and options.
 */
public final class PrefetcherCommand {
    public static final String USAGE = "prefetcher <dir>";
    static final String RESOURCE = "/io/kfr/native/linux-x86-64/kfr-prefetch";
    static final String NAME = "kfr-prefetch";

    private PrefetcherCommand() {
    }

    public static int run(List<String> args, PrintStream out, PrintStream err) {
        if (args.size() != 1 || args.get(0).startsWith("-")) {
            err.println("kfr prefetcher: usage: java -jar kfr-agent.jar " + USAGE);
            return 2;
        }
        Path dir = Path.of(args.get(0));
        try {
            Path program = install(dir);
            out.println(program + "  (" + program + " <file.ws> [--method=fadvise|read] [--cap=<size>] [--background] [--quiet]"
                    + " [-- command [args...]]: as kfr prefetch, or kfr run with a command)");
            return 0;
        } catch (IOException | UnsupportedOperationException e) {
            err.println("kfr prefetcher: cannot write " + dir.resolve(NAME) + ": " + why(e));
            return 1;
        }
    }

    /** What went wrong, in words: a FileSystemException's message is often just the path. */
    private static String why(Exception e) {
        if (e instanceof FileSystemException && ((FileSystemException) e).getReason() != null) {
            return ((FileSystemException) e).getReason();
        }
        String kind = e instanceof NoSuchFileException ? "no such directory"
                : e instanceof AccessDeniedException ? "permission denied" : e.getClass().getSimpleName();
        return e instanceof FileSystemException ? kind + " (" + ((FileSystemException) e).getFile() + ")" : kind
                + (e.getMessage() != null ? ": " + e.getMessage() : "");
    }

    /** Writes the program into dir (made if missing), replacing an older copy atomically; its path. */
    static Path install(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path program = dir.resolve(NAME);
        Path tmp = Files.createTempFile(dir, "." + NAME + ".", ".tmp");
        try (InputStream in = PrefetcherCommand.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IOException("resource " + RESOURCE + " missing from the agent jar");
            }
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.move(tmp, program, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return program;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
