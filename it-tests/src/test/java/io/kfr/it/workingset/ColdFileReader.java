package io.kfr.it.workingset;

import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The Java-frames ground truth of kfr.PageCacheMiss: waits {@code args[2]} ms (Java frames are on by
 * then), reads {@code args[0]} with FileChannel.read in {@link #readColdFile} and touches every page
 * of {@code args[1]} through a mapping in {@link #faultColdMapping} (page faults in Java code, not in
 * a system call), prints both checksums and times, and ends after {@code args[3]} ms more. The test makes both
 * files cold first, so each of their misses happened in exactly one of those methods.
 */
public final class ColdFileReader {
    private ColdFileReader() {
    }

    public static void main(String[] args) throws Exception {
        Thread.sleep(Long.parseLong(args[2]));
        long t0 = System.nanoTime();
        long read = readColdFile(Path.of(args[0]));
        long t1 = System.nanoTime();
        long mapped = faultColdMapping(Path.of(args[1]));
        long t2 = System.nanoTime();
        System.out.printf("read %d in %d ms, mapped %d in %d ms%n", read, (t1 - t0) / 1_000_000, mapped, (t2 - t1) / 1_000_000);
        Thread.sleep(Long.parseLong(args[3]));
    }

    static long readColdFile(Path p) throws Exception {
        long sum = 0;
        ByteBuffer b = ByteBuffer.allocateDirect(64 * 1024);
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            while (ch.read(b) > 0) {
                b.flip();
                while (b.hasRemaining()) {
                    sum += b.get();
                }
                b.clear();
            }
        }
        return sum;
    }

    static long faultColdMapping(Path p) throws Exception {
        long sum = 0;
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
            for (int i = 0; i < m.limit(); i += 4096) {
                sum += m.get(i);
            }
        }
        return sum;
    }
}
