package io.kfr.jfr;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Whether the chunks of one file run on the clock of another file's first chunk. The JDK's newer
 * readers (JDK 25's jfr) turn every chunk's ticks into times with the first chunk's base, so chunks
 * appended after a JVM recording must share its clock, or they are placed decades away.
 */
final class ChunkClocks {
    private ChunkClocks() {
    }

    /** Null when every chunk of {@code file} has the clock of {@code base}; else the first that does not, in words. */
    static String mismatch(TimeBase base, Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            long position = 0;
            ByteBuffer header = ByteBuffer.allocate(ChunkLayout.HEADER_SIZE);
            while (position < size) {
                header.clear();
                while (header.hasRemaining()) {
                    if (ch.read(header, position + header.position()) < 0) {
                        throw new IOException(file + ": chunk header at " + position + " cut off");
                    }
                }
                long startNanos = header.getLong(ChunkLayout.START_NANOS_POSITION);
                long startTicks = header.getLong(ChunkLayout.START_TICKS_POSITION);
                long tps = header.getLong(ChunkLayout.TICKS_PER_SECOND_POSITION);
                if (tps != base.ticksPerSecond() || Math.abs(base.toTicks(startNanos) - startTicks) > 1) {
                    return "its chunk at byte " + position + " runs on another clock (" + tps + " ticks/s, tick " + startTicks
                            + " at its start) than the JVM recording's (" + base.ticksPerSecond() + " ticks/s)";
                }
                position += header.getLong(ChunkLayout.CHUNK_SIZE_POSITION);
            }
        }
        return null;
    }
}
