package io.kfr.it.support.workload;

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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Ground truth for Java frames: each scenario thread blocks, under a 20-deep recursion, in one way
 * only, and records for every blocking call its own {@code Thread.getStackTrace()}, taken on the
 * source line of the blocking call (so the capturing frame's line is the blocking call's line), and
 * the call's window. Usage: {@code JavaStackTruth cold|warm [scenario...]} (default: all six).
 * <ul>
 * <li>cold: no warm-up; run it with -Xint, so every frame is interpreted;</li>
 * <li>warm: first the same call chain {@value #WARMUP} times on a non-blocking path (same bytecodes
 * and branches, only the argument or the ready data differ, so nothing deoptimizes later), so the
 * chain is C2-compiled with the recursion and the small leaves inlined.</li>
 * </ul>
 * At the end main prints one line per blocking call,
 * {@code KFR-JSTACK <scenario> <tid> <startEpochNanos> <endEpochNanos> <class>|<method>|<line>;...}
 * (frames innermost first, without the getStackTrace frame), then {@code KFR-JSTACK-DONE}.
 */
public final class JavaStackTruth {
    public static final List<String> SCENARIOS = List.of("sleep", "park", "monitor", "wait", "socket", "fsync");
    static final int DEPTH = 20;
    static final int WARMUP = 20_000;
    static final int CALLS = 200;
    /** Epoch nanos minus System.nanoTime(), as GroundTruth uses it. */
    private static final long MONO_TO_EPOCH = MonoClock.monoToEpoch();

    private JavaStackTruth() {
    }

    private static Scenario scenario(String name) {
        switch (name) {
            case "sleep":
                return new Sleep();
            case "park":
                return new Park();
            case "monitor":
                return new Monitor();
            case "wait":
                return new Wait();
            case "socket":
                return new SocketRead();
            case "fsync":
                return new Fsync();
            default:
                throw new IllegalArgumentException("unknown scenario " + name);
        }
    }

    public static void main(String[] args) throws Exception {
        String mode = args.length == 0 ? "" : args[0];
        if (!mode.equals("warm") && !mode.equals("cold")) {
            throw new IllegalArgumentException("usage: JavaStackTruth cold|warm [scenario...]");
        }
        boolean warm = mode.equals("warm");
        List<String> names = args.length > 1 ? List.of(args).subList(1, args.length) : SCENARIOS;
        CyclicBarrier warmedUp = new CyclicBarrier(names.size(), () -> {
            System.out.println("KFR-JSTACK-WARM-DONE"); // a marker when reading -XX:+PrintCompilation
        });
        List<Scenario> threads = new ArrayList<>();
        for (String name : names) {
            Scenario s = scenario(name);
            s.warm = warm;
            s.warmedUp = warmedUp;
            threads.add(s);
        }
        threads.forEach(Thread::start);
        for (Scenario s : threads) {
            s.join();
            if (s.failure != null) {
                throw new IllegalStateException(s.scenario + " failed", s.failure);
            }
        }
        StringBuilder out = new StringBuilder();
        for (Scenario s : threads) {
            s.print(out);
        }
        System.out.print(out);
        System.out.println("KFR-JSTACK-DONE");
    }

    /**
     * One scenario thread. Frames below the capture point, outermost first: {@link #run},
     * {@link #runCalls}, 21 x {@link #descend}, the subclass's {@code block} and its private leaf
     * (inlined into block when compiled), which captures and blocks on one line.
     */
    abstract static class Scenario extends Thread {
        final String scenario;
        boolean warm;
        CyclicBarrier warmedUp;
        Throwable failure;
        // written by the leaf on every call (no branch on warm/measured there), read by runCalls
        StackTraceElement[] st;
        long t0;
        long t1;
        private int tid;
        private final List<StackTraceElement[]> stacks = new ArrayList<>();
        private final List<long[]> windows = new ArrayList<>();

        Scenario(String scenario) {
            super("jstacks-" + scenario);
            this.scenario = scenario;
        }

        void setUp() throws Exception {
        }

        /** Before each call, outside the recorded chain: arranges the blocking (or not) and returns block's argument. */
        abstract long prepare(int i, boolean warmUp) throws Exception;

        abstract void block(long arg) throws Exception;

        /** After each measured call. */
        void afterCall(int i) {
        }

        void tearDown() throws Exception {
        }

        @Override
        public void run() {
            try {
                tid = GroundTruth.tid();
                setUp();
                if (warm) {
                    runCalls(WARMUP, true);
                    warmedUp.await(60, TimeUnit.SECONDS); // bounded: a failed scenario must not hang the others
                    Thread.sleep(500); // let the compile queue drain: the measured calls run the C2 code
                }
                runCalls(CALLS, false);
                tearDown();
            } catch (Throwable t) {
                failure = t;
            }
        }

        final void runCalls(int n, boolean warmUp) throws Exception {
            for (int i = 0; i < n; i++) {
                long arg = prepare(i, warmUp);
                try {
                    descend(DEPTH, arg);
                } catch (InterruptedException e) {
                    if (!warmUp) {
                        throw e;
                    } // the warm-up of "wait" leaves Object.wait by interrupt
                }
                if (!warmUp) {
                    stacks.add(st);
                    windows.add(new long[] {t0, t1});
                    afterCall(i);
                }
            }
        }

        final void descend(int depth, long arg) throws Exception {
            if (depth == 0) {
                block(arg);
            } else {
                descend(depth - 1, arg);
            }
        }

        void print(StringBuilder out) {
            for (int i = 0; i < stacks.size(); i++) {
                out.append("KFR-JSTACK ").append(scenario).append(' ').append(tid).append(' ')
                        .append(windows.get(i)[0] + MONO_TO_EPOCH).append(' ').append(windows.get(i)[1] + MONO_TO_EPOCH)
                        .append(' ');
                StackTraceElement[] frames = stacks.get(i);
                int first = 0;
                while (first < frames.length && frames[first].getClassName().equals("java.lang.Thread")
                        && frames[first].getMethodName().equals("getStackTrace")) {
                    first++;
                }
                for (int f = first; f < frames.length; f++) {
                    out.append(f > first ? ";" : "").append(frames[f].getClassName()).append('|')
                            .append(frames[f].getMethodName()).append('|').append(frames[f].getLineNumber());
                }
                out.append('\n');
            }
        }
    }

    static final class Sleep extends Scenario {
        Sleep() {
            super("sleep");
        }

        @Override
        long prepare(int i, boolean warmUp) {
            return warmUp ? 0 : 5 + i % 6; // sleep(0) only yields
        }

        @Override
        void block(long millis) throws InterruptedException {
            sleepOnce(millis);
        }

        private void sleepOnce(long millis) throws InterruptedException {
            st = Thread.currentThread().getStackTrace(); t0 = System.nanoTime(); Thread.sleep(millis);
            t1 = System.nanoTime();
        }
    }

    static final class Park extends Scenario {
        Park() {
            super("park");
        }

        @Override
        long prepare(int i, boolean warmUp) {
            if (warmUp) {
                LockSupport.unpark(this); // the permit makes parkNanos return at once, through the same path
            }
            return (2 + i % 4) * 1_000_000L;
        }

        @Override
        void block(long nanos) {
            parkOnce(nanos);
        }

        private void parkOnce(long nanos) {
            st = Thread.currentThread().getStackTrace(); t0 = System.nanoTime(); LockSupport.parkNanos(nanos);
            t1 = System.nanoTime();
        }
    }

    /** Contended monitor enter: a holder takes the monitor and keeps it 3 ms each round; then this thread enters. */
    static final class Monitor extends Scenario {
        private static final Object LOCK = new Object();
        private final AtomicInteger held = new AtomicInteger();
        private final AtomicInteger entered = new AtomicInteger();
        private final Thread holder = new Thread(() -> {
            for (int i = 1; i <= CALLS; i++) {
                synchronized (LOCK) {
                    held.set(i);
                    pause(3);
                }
                while (entered.get() < i) {
                    Thread.yield();
                }
            }
        }, "jstacks-monitor-holder");

        Monitor() {
            super("monitor");
            holder.setDaemon(true); // helpers are daemons: a failed scenario must not keep the JVM alive
        }

        @Override
        long prepare(int i, boolean warmUp) {
            if (!warmUp) {
                if (i == 0) {
                    holder.start();
                }
                while (held.get() < i + 1) {
                    Thread.yield();
                }
            }
            return 0;
        }

        @Override
        void block(long unused) {
            enterOnce();
        }

        private void enterOnce() {
            st = Thread.currentThread().getStackTrace(); t0 = System.nanoTime(); synchronized (LOCK) { t1 = System.nanoTime(); }
        }

        @Override
        void afterCall(int i) {
            entered.set(i + 1);
        }

        @Override
        void tearDown() throws InterruptedException {
            holder.join();
        }
    }

    /** Object.wait(100 ms) ended by another thread's notifyAll every 3 ms. */
    static final class Wait extends Scenario {
        private static final Object LOCK = new Object();
        private volatile boolean done;
        private final Thread notifier = new Thread(() -> {
            while (!done) {
                pause(3);
                synchronized (LOCK) {
                    LOCK.notifyAll();
                }
            }
        }, "jstacks-wait-notifier");

        Wait() {
            super("wait");
            notifier.setDaemon(true);
        }

        @Override
        long prepare(int i, boolean warmUp) {
            if (warmUp) {
                Thread.currentThread().interrupt(); // wait throws at once; runCalls swallows it
            } else if (i == 0) {
                notifier.start();
            }
            return 100;
        }

        @Override
        void block(long millis) throws InterruptedException {
            waitOnce(millis);
        }

        private void waitOnce(long millis) throws InterruptedException {
            synchronized (LOCK) {
                st = Thread.currentThread().getStackTrace(); t0 = System.nanoTime(); LOCK.wait(millis);
                t1 = System.nanoTime();
            }
        }

        @Override
        void tearDown() throws InterruptedException {
            done = true;
            notifier.join();
        }
    }

    /**
     * A blocking read of one byte from a local peer. The peer answers 'D' with one byte after 2 ms;
     * during the warm-up it sends 1000 bytes at once on 'W', and the reads find them ready.
     */
    static final class SocketRead extends Scenario {
        private ServerSocket server;
        private Socket client;
        private InputStream in;
        private OutputStream out;
        private Thread peer;
        private final byte[] buf = new byte[1];

        SocketRead() {
            super("socket");
        }

        @Override
        void setUp() throws Exception {
            server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
            peer = new Thread(() -> {
                try (Socket s = server.accept(); InputStream pin = s.getInputStream(); OutputStream pout = s.getOutputStream()) {
                    for (int r; (r = pin.read()) >= 0; ) {
                        if (r == 'W') {
                            pout.write(new byte[1000]);
                        } else {
                            pause(2);
                            pout.write(1);
                        }
                        pout.flush();
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, "jstacks-socket-peer");
            peer.setDaemon(true);
            peer.start();
            client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
            in = client.getInputStream();
            out = client.getOutputStream();
        }

        @Override
        long prepare(int i, boolean warmUp) throws Exception {
            if (!warmUp) {
                out.write('D');
            } else if (i % 1000 == 0) {
                out.write('W');
                while (in.available() < 1000) {
                    Thread.sleep(1);
                }
            }
            return 0;
        }

        @Override
        void block(long unused) throws Exception {
            readOnce();
        }

        private void readOnce() throws Exception {
            st = Thread.currentThread().getStackTrace(); t0 = System.nanoTime(); in.read(buf, 0, 1);
            t1 = System.nanoTime();
        }

        @Override
        void tearDown() throws Exception {
            client.close();
            peer.join();
            server.close();
        }
    }

    /**
     * FileChannel.force of 256 KB written just before (outside the window) to a file on the disk; the
     * warm-up forces a file on tmpfs, where it returns at once.
     */
    static final class Fsync extends Scenario {
        private FileChannel disk;
        private FileChannel shm;
        private FileChannel current;
        private Path diskFile;
        private Path shmFile;
        private final ByteBuffer block = ByteBuffer.allocate(256 * 1024);

        Fsync() {
            super("fsync");
        }

        @Override
        void setUp() throws Exception {
            diskFile = Files.createTempFile(Path.of(System.getProperty("kfr.truth.dir", "/var/tmp")), "kfr-jstacks", ".dat");
            Path shmDir = Path.of("/dev/shm");
            shmFile = Files.createTempFile(Files.isDirectory(shmDir) ? shmDir : diskFile.getParent(), "kfr-jstacks", ".dat");
            disk = FileChannel.open(diskFile, StandardOpenOption.WRITE);
            shm = FileChannel.open(shmFile, StandardOpenOption.WRITE);
        }

        @Override
        long prepare(int i, boolean warmUp) throws Exception {
            if (warmUp) {
                current = shm;
            } else {
                current = disk;
                block.clear();
                disk.write(block, 0);
            }
            return 0;
        }

        @Override
        void block(long unused) throws Exception {
            forceOnce();
        }

        private void forceOnce() throws Exception {
            st = Thread.currentThread().getStackTrace(); t0 = System.nanoTime(); current.force(false);
            t1 = System.nanoTime();
        }

        @Override
        void tearDown() throws Exception {
            disk.close();
            shm.close();
            Files.deleteIfExists(diskFile);
            Files.deleteIfExists(shmFile);
        }
    }

    static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
