package io.kfr.agent;

import java.nio.file.Files;
import java.nio.file.Path;

/** Checks up front that the output file can be written, so a typo costs seconds, not a recording. */
public final class OutputFile {
    /** Linux's limit on one file name, in bytes. */
    static final int NAME_MAX = 255;
    /** What the temporary name adds: ".", "." + up to 20 random digits + ".tmp". */
    static final int TEMP_NAME_EXTRA = 26;
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
        // the file is written under a temporary name first (JfrFiles: "." + name + "." + ~19 digits
        // + ".tmp"): a name that fits only without that suffix would be lost at exit
        int tempBytes = absolute.getFileName().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length
                + TEMP_NAME_EXTRA;
        if (tempBytes > NAME_MAX) {
            return "cannot write file=" + file + ": the name is too long (kfr writes it under a temporary name "
                    + TEMP_NAME_EXTRA + " bytes longer, and a file name may have at most " + NAME_MAX
                    + " bytes); choose a shorter name";
        }
        if (Files.exists(absolute) && !Files.isWritable(absolute)) {
            return "cannot write file=" + file + ": the file exists and is not writable; remove it or choose another path";
        }
        return null;
    }
}
