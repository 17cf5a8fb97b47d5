package io.kfr.jfr;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** Merging kfr's chunk with the JVM's recording into one .jfr file. */
public final class JfrFiles {

    private JfrFiles() {
    }

    /**
     * Writes target = jvmRecording's bytes followed by kfr's chunk, atomically: a temp file in
     * target's directory, fsync, rename. The JVM recording is copied as-is and its first chunk's
     * time base is used for kfr's chunk; it must consist of finished chunks. On failure target is
     * untouched and the temp file removed.
     * jvmRecording may be target itself.
     */
    /** True when {@code file} is a recording whose every chunk is finished (a writer is done with it). */
    public static boolean isComplete(Path file) {
        try {
            ChunkLayout.checkComplete(file);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public static void mergeAtomically(Path jvmRecording, KfrChunk kfr, Path target) throws IOException {
        TimeBase tb;
        try {
            tb = TimeBase.ofFirstChunk(jvmRecording);
            ChunkLayout.checkComplete(jvmRecording);
        } catch (IOException e) {
            throw new IOException("cannot merge with JVM recording " + jvmRecording + ": " + e.getMessage(), e);
        }
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        Path temp;
        try {
            temp = Files.createTempFile(dir, "." + absolute.getFileName() + ".", ".tmp");
        } catch (IOException e) {
            throw new IOException("cannot write merged recording " + target + ": cannot create a file in " + dir
                    + " (" + e + ")", e);
        }
        boolean done = false;
        try {
            copyPermissions(jvmRecording, temp);
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 256 * 1024);
                Files.copy(jvmRecording, out);
                kfr.writeChunk(out, tb);
                out.flush();
                ch.force(true);
            }
            try {
                Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot replace " + target + " atomically", e);
            }
            done = true;
            syncDirectory(dir);
        } catch (IOException e) {
            throw new IOException("cannot write merged recording " + target + ": " + e.getMessage(), e);
        } finally {
            if (!done) {
                Files.deleteIfExists(temp);
            }
        }
    }

    /**
     * Appends kfr's chunk to a finished JVM recording in place, for a disk too full for a merged
     * copy: needs room for the chunk only. On failure the recording is cut back to its own chunks,
     * so it stays a valid file either way.
     */
    public static void appendInPlace(Path jvmRecording, KfrChunk kfr) throws IOException {
        TimeBase tb = TimeBase.ofFirstChunk(jvmRecording);
        ChunkLayout.checkComplete(jvmRecording);
        try (FileChannel ch = FileChannel.open(jvmRecording, StandardOpenOption.WRITE)) {
            long length = ch.size();
            try {
                ch.position(length);
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 256 * 1024);
                kfr.writeChunk(out, tb);
                out.flush();
                ch.force(true);
            } catch (IOException | RuntimeException e) {
                ch.truncate(length);
                throw e;
            }
        }
    }

    /** Temp files are private (0600); the merged recording is as readable as the JVM's was. */
    private static void copyPermissions(Path from, Path to) throws IOException {
        try {
            Files.setPosixFilePermissions(to, Files.getPosixFilePermissions(from));
        } catch (UnsupportedOperationException notPosix) {
            // keep the default
        }
    }

    /** Makes the rename durable; not every file system lets a directory be opened, so best effort. */
    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException ignored) {
            // the data itself is synced; only the rename may be lost on a crash
        }
    }
}
