package io.kfr.it.support.workload;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * The ways Java code blocks, one per run, each driven so that it keeps two CPUs busy: prints
 * "PATTERN-READY &lt;pid&gt;" once its threads run, then after the measured window
 * "PATTERN &lt;operations per second&gt; &lt;context switches per second&gt;".
 * <ul>
 * <li>{@code park}: pairs hand a token with LockSupport.park/unpark;</li>
 * <li>{@code monitor}: pairs hand a token through synchronized + Object.wait/notifyAll;</li>
 * <li>{@code contended}: threads increment a counter inside one synchronized block with work inside
 * and outside it, so they queue on the monitor;</li>
 * <li>{@code sleep}: 64 threads work ~30 µs, then Thread.sleep 50 µs-1 ms (random; 1 ms before JDK 21);</li>
 * <li>{@code socket}: pairs ping-pong 8 bytes over blocking loopback TCP sockets;</li>
 * <li>{@code nio}: one selector thread (epoll) serves clients that each send 8 bytes and wait for the
 * echo.</li>
 * </ul>
 * An operation is a hand-off, an increment, a sleep or a round trip.
 * Usage: BlockingPatterns &lt;pattern&gt; &lt;warmupSeconds&gt; &lt;measureSeconds&gt;
 */
public final class BlockingPatterns {
    public static final List<String> PATTERNS = List.of("park", "monitor", "contended", "sleep", "socket", "nio");
    private static final int PAIRS = 4;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final LongAdder ops = new LongAdder();
    private final List<Thread> threads = new ArrayList<>();
    /** Keeps the work from being optimized away. */
    static volatile long sink;

    private BlockingPatterns() {
    }

    public static void main(String[] args) throws Exception {
        String pattern = args[0];
        long warmupMs = Long.parseLong(args[1]) * 1000;
        long measureMs = Long.parseLong(args[2]) * 1000;
        BlockingPatterns p = new BlockingPatterns();
        switch (pattern) {
            case "park": p.park(); break;
            case "monitor": p.monitor(); break;
            case "contended": p.contended(); break;
            case "sleep": p.sleep(); break;
            case "socket": p.socket(); break;
            case "nio": p.nio(); break;
            default: throw new IllegalArgumentException("pattern: one of " + PATTERNS);
        }
        p.threads.forEach(t -> t.setDaemon(true));
        p.threads.forEach(Thread::start);
        System.out.println("PATTERN-READY " + ProcessHandle.current().pid());
        Thread.sleep(warmupMs);
        long o0 = p.ops.sum();
        long s0 = SwitchStorm.contextSwitches();
        long t0 = System.nanoTime();
        Thread.sleep(measureMs);
        long o1 = p.ops.sum();
        long s1 = SwitchStorm.contextSwitches();
        long t1 = System.nanoTime();
        // the loops end; threads blocked in a socket stay there until exit (daemons): a socket
        // closed under a selector's loop would only add exceptions to the output
        p.running.set(false);
        System.out.printf("PATTERN %.0f %.0f%n", (o1 - o0) * 1e9 / (t1 - t0), (s1 - s0) * 1e9 / (t1 - t0));
        System.exit(0);
    }

    static long work(int n, long seed) {
        long x = seed;
        for (int i = 0; i < n; i++) {
            x = x * 6364136223846793005L + 1442695040888963407L;
        }
        return x;
    }

    private void add(String name, Runnable r) {
        threads.add(new Thread(r, name + "-" + threads.size()));
    }

    private void park() {
        for (int i = 0; i < PAIRS; i++) {
            Thread[] pair = new Thread[2];
            AtomicInteger turn = new AtomicInteger();
            for (int me = 0; me < 2; me++) {
                int self = me;
                add("park", () -> {
                    long local = 0;
                    while (running.get()) {
                        while (turn.get() != self && running.get()) {
                            LockSupport.park(pair);
                        }
                        sink = work(500, local);
                        turn.set(1 - self);
                        LockSupport.unpark(pair[1 - self]);
                        local++;
                        if ((local & 255) == 0) {
                            ops.add(256);
                        }
                    }
                });
                pair[me] = threads.get(threads.size() - 1);
            }
        }
    }

    private void monitor() {
        for (int i = 0; i < PAIRS; i++) {
            Object lock = new Object();
            int[] turn = new int[1];
            for (int me = 0; me < 2; me++) {
                int self = me;
                add("monitor", () -> {
                    long local = 0;
                    try {
                        while (running.get()) {
                            synchronized (lock) {
                                while (turn[0] != self && running.get()) {
                                    lock.wait(100);
                                }
                                sink = work(500, local);
                                turn[0] = 1 - self;
                                lock.notifyAll();
                            }
                            local++;
                            if ((local & 255) == 0) {
                                ops.add(256);
                            }
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
            }
        }
    }

    private void contended() {
        Object lock = new Object();
        long[] counter = new long[1];
        for (int i = 0; i < 2 * PAIRS; i++) {
            add("contended", () -> {
                long local = 0;
                while (running.get()) {
                    synchronized (lock) {
                        counter[0] = work(10_000, counter[0]); // ~10 µs held: longer than HotSpot spins before it parks
                    }
                    sink = work(10_000, local);
                    local++;
                    if ((local & 255) == 0) {
                        ops.add(256);
                    }
                }
            });
        }
    }

    private void sleep() {
        for (int i = 0; i < 64; i++) {
            add("sleep", () -> {
                long local = 0;
                ThreadLocalRandom random = ThreadLocalRandom.current();
                try {
                    while (running.get()) {
                        sink = work(30_000, local);
                        // before JDK 21 Thread.sleep rounds a sleep under 1 ms up to 1 ms
                        long nanos = 50_000 + random.nextLong(950_000);
                        Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
                        local++;
                        if ((local & 15) == 0) {
                            ops.add(16);
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
    }

    private void socket() throws IOException {
        for (int i = 0; i < PAIRS; i++) {
            ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
            Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
            Socket accepted = server.accept();
            client.setTcpNoDelay(true);
            accepted.setTcpNoDelay(true);
            add("socket-client", () -> pingPong(client, true));
            add("socket-server", () -> pingPong(accepted, false));
        }
    }

    private void pingPong(Socket s, boolean first) {
        try {
            DataInputStream in = new DataInputStream(s.getInputStream());
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            long local = 0;
            if (first) {
                out.writeLong(0);
            }
            while (running.get()) {
                long v = in.readLong();
                sink = work(500, v);
                out.writeLong(v + 1);
                local++;
                if ((local & 255) == 0) {
                    ops.add(256);
                }
            }
        } catch (IOException e) {
            // closed at the end
        }
    }

    private void nio() throws IOException {
        Selector selector = Selector.open();
        ServerSocketChannel server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        server.configureBlocking(false);
        server.register(selector, SelectionKey.OP_ACCEPT);
        InetSocketAddress address = (InetSocketAddress) server.getLocalAddress();
        add("nio-selector", () -> serve(selector, server));
        for (int i = 0; i < 2 * PAIRS; i++) {
            add("nio-client", () -> client(address));
        }
    }

    private void serve(Selector selector, ServerSocketChannel server) {
        ByteBuffer buf = ByteBuffer.allocateDirect(64);
        try {
            while (running.get()) {
                selector.select(100);
                Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                while (keys.hasNext()) {
                    SelectionKey k = keys.next();
                    keys.remove();
                    if (k.isAcceptable()) {
                        SocketChannel c = server.accept();
                        if (c != null) {
                            c.configureBlocking(false);
                            c.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
                            c.register(selector, SelectionKey.OP_READ);
                        }
                    } else if (k.isReadable()) {
                        SocketChannel c = (SocketChannel) k.channel();
                        buf.clear();
                        int n = c.read(buf);
                        if (n < 0) {
                            k.cancel();
                            c.close();
                            continue;
                        }
                        buf.flip();
                        sink = work(300, buf.remaining() > 0 ? buf.get(0) : 0);
                        while (buf.hasRemaining()) {
                            c.write(buf);
                        }
                    }
                }
            }
        } catch (IOException | java.nio.channels.ClosedSelectorException e) {
            // closed at the end
        }
    }

    private void client(InetSocketAddress address) {
        try (SocketChannel c = SocketChannel.open(address)) {
            c.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
            ByteBuffer buf = ByteBuffer.allocateDirect(8);
            long local = 0;
            while (running.get()) {
                buf.clear();
                buf.putLong(local).flip();
                while (buf.hasRemaining()) {
                    c.write(buf);
                }
                buf.clear();
                while (buf.hasRemaining()) {
                    if (c.read(buf) < 0) {
                        return;
                    }
                }
                sink = work(300, local);
                local++;
                if ((local & 255) == 0) {
                    ops.add(256);
                }
            }
        } catch (IOException e) {
            // closed at the end
        }
    }
}
