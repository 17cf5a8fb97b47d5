package io.kfr.jfr;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Files made later from what a run kept: a dead JVM's spool ({@link #recover}) and a JVM recording
 * put together with kfr's data ({@link #merge}). Both are written to a temporary name next to the
 * target, then renamed: the target is a whole file or untouched. Messages are one line.
 */
public final class KeptData {
    private KeptData() {
    }

    /** Writes the kfr events of a spool directory as a JFR file. */
    public static SpoolRecovery.Result recover(Path spoolDir, Path target) throws IOException {
        SpoolRecovery.Result[] result = new SpoolRecovery.Result[1];
        writeAtomically(target, out -> result[0] = SpoolRecovery.recover(spoolDir, out, TimeBase.ofNanos(0)));
        return result[0];
    }

    /**
     * Writes {@code jvmRecording} followed by kfr's data: the chunks of a JFR file on the JVM
     * recording's clock (kfr's chunks of a file= or dump of that JVM) or the events of a spool
     * directory, which then get the JVM recording's time base (the one the JDK's newer readers
     * apply to every chunk). A file on another clock (one {@link #recover} wrote) is refused.
     * @return kfr's events written from a spool directory, or -1 for a file appended as is
     */
    public static long merge(Path jvmRecording, Path kfr, Path target) throws IOException {
        if (!Files.isRegularFile(jvmRecording)) {
            throw new IOException("no such file: " + jvmRecording);
        }
        TimeBase tb;
        try {
            tb = TimeBase.ofFirstChunk(jvmRecording);
            ChunkLayout.checkComplete(jvmRecording);
        } catch (IOException | RuntimeException e) {
            throw new IOException(jvmRecording + " is not a complete JFR recording (" + e.getMessage() + ")");
        }
        boolean spool = Files.isDirectory(kfr);
        if (!spool) {
            if (!Files.isRegularFile(kfr)) {
                throw new IOException("no such file or directory: " + kfr);
            }
            try {
                ChunkLayout.checkComplete(kfr);
            } catch (IOException | RuntimeException e) {
                throw new IOException(kfr + " is not a complete JFR file nor a kfr spool directory (" + e.getMessage() + ")");
            }
            String clock = ChunkClocks.mismatch(tb, kfr);
            if (clock != null) { // e.g. a file of 'kfr recover': written before the JVM recording's clock was known
                throw new IOException(kfr + " cannot follow " + jvmRecording + ": " + clock + ", and newer JDK readers would"
                        + " misplace its events in time; give kfr's spool directory instead (its events are then written on"
                        + " the JVM recording's clock), or read the two files apart");
            }
        }
        long[] events = {-1};
        writeAtomically(target, out -> {
            Files.copy(jvmRecording, out);
            if (spool) {
                events[0] = SpoolRecovery.recover(kfr, out, tb).events;
            } else {
                Files.copy(kfr, out);
            }
        });
        return events[0];
    }

    private interface Writing {
        void to(OutputStream out) throws IOException;
    }

    private static void writeAtomically(Path target, Writing writing) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        if (!Files.isDirectory(dir)) {
            throw new IOException("cannot write " + target + ": no directory " + dir);
        }
        Path temp = Files.createTempFile(dir, "." + absolute.getFileName() + ".", ".tmp");
        boolean done = false;
        try {
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 256 * 1024);
                writing.to(out);
                out.flush();
                ch.force(true);
            }
            Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            done = true;
        } finally {
            if (!done) {
                Files.deleteIfExists(temp);
            }
        }
    }
}
