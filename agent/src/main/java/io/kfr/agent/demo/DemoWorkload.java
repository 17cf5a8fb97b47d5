package io.kfr.agent.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * A small JVM with a known off-CPU profile, for the quick start: one thread sleeps, one parks, two
 * fight over a monitor, one fsyncs a file, one waits on a loopback socket. About three seconds.
 */
public final class DemoWorkload {
    private static final Object MONITOR = new Object();

    private DemoWorkload() {
    }

    public static void main(String[] args) throws Exception {
        awaitCollectors();
        List<Thread> threads = List.of(
                new Thread(DemoWorkload::sleeper, "demo-sleeper"),
                new Thread(DemoWorkload::parker, "demo-parker"),
                new Thread(DemoWorkload::lockHolder, "demo-lock-holder"),
                new Thread(DemoWorkload::lockWaiter, "demo-lock-waiter"),
                new Thread(DemoWorkload::fsyncer, "demo-fsync"),
                new Thread(DemoWorkload::socketReader, "demo-socket-reader"));
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        System.out.println("demo workload done");
    }

    /**
     * premain returns before the collectors have loaded their programs (they load on kfr-start
     * while main runs); the demo shows what kfr records, so its workload starts once they run.
     */
    private static void awaitCollectors() throws InterruptedException {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("kfr-start")) {
                t.join(60_000);
            }
        }
    }

    static void sleeper() {
        for (int i = 0; i < 60; i++) {
            try {
                Thread.sleep(40);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    static void parker() {
        for (int i = 0; i < 80; i++) {
            LockSupport.parkNanos(30_000_000L);
        }
    }

    static void lockHolder() {
        for (int i = 0; i < 40; i++) {
            synchronized (MONITOR) {
                busy(50_000_000L);
            }
            Thread.yield();
        }
    }

    static void lockWaiter() {
        for (int i = 0; i < 40; i++) {
            synchronized (MONITOR) {
                busy(1_000_000L);
            }
        }
    }

    static void fsyncer() {
        try {
            Path file = Files.createTempFile("kfr-demo", ".dat");
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                ByteBuffer page = ByteBuffer.allocate(64 * 1024);
                for (int i = 0; i < 100; i++) {
                    page.clear();
                    ch.write(page);
                    ch.force(true);
                }
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            System.err.println("demo fsync: " + e);
        }
    }

    static void socketReader() {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread writer = new Thread(() -> {
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
                     OutputStream out = s.getOutputStream()) {
                    for (int i = 0; i < 100; i++) {
                        Thread.sleep(25);
                        out.write(i);
                        out.flush();
                    }
                } catch (IOException | InterruptedException e) {
                    System.err.println("demo socket writer: " + e);
                }
            }, "demo-socket-writer");
            writer.start();
            try (Socket s = server.accept(); InputStream in = s.getInputStream()) {
                while (in.read() >= 0) {
                    // each read blocks until the writer sends the next byte
                }
            }
            writer.join();
        } catch (IOException | InterruptedException e) {
            System.err.println("demo socket: " + e);
        }
    }

    private static void busy(long nanos) {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }
}
