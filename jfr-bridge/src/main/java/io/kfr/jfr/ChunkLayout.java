package io.kfr.jfr;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The 68-byte chunk header (jdk.jfr.internal.consumer.ChunkHeader): magic "FLR\0", version 2.1,
 * chunk size, constant pool and metadata offsets (from the chunk start), start nanos, duration,
 * start ticks, ticks per second, file state byte, flag byte. All raw big-endian.
 */
final class ChunkLayout {
    static final int HEADER_SIZE = 68;
    static final int START_NANOS_POSITION = 32;
    static final int START_TICKS_POSITION = 48;
    static final int TICKS_PER_SECOND_POSITION = 56;
    static final byte[] MAGIC = {'F', 'L', 'R', 0};
    static final int MAJOR = 2;
    static final int MINOR = 1;

    /** Event type ids the format reserves. */
    static final long METADATA_EVENT = 0;
    static final long CHECKPOINT_EVENT = 1;

    static final int CHUNK_SIZE_POSITION = 8;
    static final int FILE_STATE_POSITION = 64;

    /** Flag byte: compressed integers (JMC checks it), final chunk (as the JVM marks its last chunk). */
    private static final int FLAG_COMPRESSED_INTS = 1;
    private static final int FLAG_FINAL_CHUNK = 2;

    private ChunkLayout() {
    }

    static void checkMagic(ByteBuffer header, Path file) throws IOException {
        for (int i = 0; i < MAGIC.length; i++) {
            if (header.get(i) != MAGIC[i]) {
                throw new IOException(file + ": not a JFR file (no FLR magic)");
            }
        }
        int major = header.getShort(4);
        if (major != MAJOR) {
            throw new IOException(file + ": JFR file version " + major + "." + header.getShort(6)
                    + ", kfr merges with version 2 (JDK 11 and later)");
        }
    }

    /**
     * Walks the chunk headers of a recording: each must be a finished version-2 chunk and together
     * they must fill the file exactly. A chunk still being written (file state != 0, as in the
     * JVM's repository) or a truncated file would make readers misread whatever follows it.
     */
    static void checkComplete(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            long position = 0;
            ByteBuffer header = ByteBuffer.allocate(HEADER_SIZE);
            do {
                header.clear();
                while (header.hasRemaining()) {
                    if (ch.read(header, position + header.position()) < 0) {
                        throw new IOException(file + ": not a complete JFR file (chunk header at " + position + " cut off)");
                    }
                }
                checkMagic(header, file);
                long chunkSize = header.getLong(CHUNK_SIZE_POSITION);
                if (header.get(FILE_STATE_POSITION) != 0) {
                    throw new IOException(file + ": chunk at " + position + " is still being written (dump the recording first)");
                }
                if (chunkSize < HEADER_SIZE || chunkSize > size - position) {
                    throw new IOException(file + ": chunk at " + position + " has size " + chunkSize + " but "
                            + (size - position) + " bytes remain (truncated file?)");
                }
                position += chunkSize;
            } while (position < size);
        }
    }

    /**
     * File state 0 means finished: the JDK reader then trusts the sizes and, as the JVM's first
     * chunk is finished too, reads the whole file.
     */
    static void writeHeader(JfrBuffer out, long chunkSize, long constantPoolOffset, long metadataOffset,
                            long startNanos, long durationNanos, long startTicks, long ticksPerSecond) {
        out.writeBytes(MAGIC, 0, MAGIC.length);
        out.writeRawShort(MAJOR);
        out.writeRawShort(MINOR);
        out.writeRawLong(chunkSize);
        out.writeRawLong(constantPoolOffset);
        out.writeRawLong(metadataOffset);
        out.writeRawLong(startNanos);
        out.writeRawLong(durationNanos);
        out.writeRawLong(startTicks);
        out.writeRawLong(ticksPerSecond);
        out.writeByte(0); // file state: finished
        out.writeByte(0);
        out.writeByte(0);
        out.writeByte(FLAG_COMPRESSED_INTS | FLAG_FINAL_CHUNK);
    }
}
