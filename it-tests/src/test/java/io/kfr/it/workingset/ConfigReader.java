package io.kfr.it.workingset;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A JVM start that reads a file of its own: waits {@code args[1]} ms (the prefetch has started by
 * then), reads {@code args[0]} whole in {@link #readConfig}, prints its checksum, and ends after
 * {@code args[2]} ms more (0 when absent); with {@code args[3]}, writes that file after the read.
 */
public final class ConfigReader {
    private ConfigReader() {
    }

    public static void main(String[] args) throws Exception {
        Thread.sleep(Long.parseLong(args[1]));
        System.out.println("checksum " + readConfig(Path.of(args[0])));
        if (args.length > 3) {
            writeOutput(Path.of(args[3]));
        }
        Thread.sleep(args.length > 2 ? Long.parseLong(args[2]) : 0);
    }

    /** 256 KB of output, written while the JVM starts: new pages, not a read. */
    static void writeOutput(Path p) throws Exception {
        Files.write(p, new byte[256 * 1024]);
    }

    static long readConfig(Path p) throws Exception {
        long sum = 0;
        for (byte b : Files.readAllBytes(p)) {
            sum += b;
        }
        return sum;
    }
}
