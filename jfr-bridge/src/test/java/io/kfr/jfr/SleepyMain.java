package io.kfr.jfr;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;

/**
 * The workload of the child JVMs whose recordings kfr's chunk is merged with. Prints the Linux tid
 * of its main thread, then sleeps on main (jdk.ThreadSleep events, threshold 20 ms) and parks a
 * second thread, about 0.4 s in all.
 */
public final class SleepyMain {
    public static void main(String[] args) throws Exception {
        System.out.println("TID " + Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName());
        System.out.flush();
        Thread worker = new Thread(() -> LockSupport.parkNanos(300_000_000L), "kfr-test-worker");
        worker.start();
        for (int i = 0; i < 12; i++) {
            Thread.sleep(30);
        }
        worker.join();
    }
}
