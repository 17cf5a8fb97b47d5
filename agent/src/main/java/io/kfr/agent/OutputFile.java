package io.kfr.agent;

import java.nio.file.Files;
import java.nio.file.Path;

/** Checks up front that the output file can be written, so a typo costs seconds, not a recording. */
public final class OutputFile {
    private OutputFile() {
    }

    /** @return null when {@code file} can be written, else a one-line reason with the fix */
    public static String problem(Path file) {
        Path absolute = file.toAbsolutePath();
        Path dir = absolute.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            return "cannot write file=" + file + ": directory " + dir + " does not exist; create it or choose another path";
        }
        if (Files.isDirectory(absolute)) {
            return "cannot write file=" + file + ": it is a directory; name a file such as " + absolute.resolve("kfr.jfr");
        }
        if (!Files.isWritable(dir)) {
            return "cannot write file=" + file + ": directory " + dir + " is not writable by this user; choose a writable path";
        }
        if (Files.exists(absolute) && !Files.isWritable(absolute)) {
            return "cannot write file=" + file + ": the file exists and is not writable; remove it or choose another path";
        }
        return null;
    }
}
