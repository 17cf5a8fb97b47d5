package io.kfr.jfr;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The workload of the child JVMs whose own jdk.ExecutionSample events kfr's must sit next to:
 * prints the Linux tid of its main thread, then keeps main running Java code ({@link #spin}) for
 * about 0.6 s.
 */
public final class BusyMain {
    static volatile long sink;

    public static void main(String[] args) throws Exception {
        System.out.println("TID " + Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName());
        System.out.flush();
        long end = System.nanoTime() + 600_000_000L;
        while (System.nanoTime() < end) {
            sink += spin(1_000);
        }
    }

    static long spin(int n) {
        long s = sink;
        for (int i = 0; i < n; i++) {
            s += i * 31L ^ s;
        }
        return s;
    }
}
