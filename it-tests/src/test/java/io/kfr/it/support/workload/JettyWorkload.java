package io.kfr.it.support.workload;

import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A Jetty 12 server in this JVM under a bounded load from a small HTTP client on 127.0.0.1.
 * <ul>
 *   <li>{@code hello}: every request answers "hello" (nothing holds up work: idle acceptor,
 *       selectors and pool threads only);</li>
 *   <li>{@code problems}: {@code /lock} updates shared state under one ReentrantLock held 3 ms
 *       ({@link #updateShared}: three clients contend for it), {@code /file} reads a 16 MB file
 *       synchronously with O_DIRECT in 4 MB reads ({@link #readSlowFile}: state D, woken by the
 *       disk's completion), {@code /} answers hello.</li>
 * </ul>
 * Usage: JettyWorkload hello|problems &lt;dir for the file&gt;. Prints KFR-JETTY-DONE &lt;requests&gt;.
 */
public final class JettyWorkload {
    private static final ReentrantLock SHARED = new ReentrantLock();
    private static final AtomicLong STATE = new AtomicLong();
    private static final int MB = 1 << 20;
    private static final int FILE_MB = 16;
    private static final int READ_MB = 4;
    private static Path file;
    /** One read buffer per thread: the handler's time is the disk's, not zeroing a new buffer. */
    private static final ThreadLocal<ByteBuffer> BUFFER = ThreadLocal.withInitial(
            () -> ByteBuffer.allocateDirect(READ_MB * MB + 65536));

    private JettyWorkload() {
    }

    public static void main(String[] args) throws Exception {
        boolean problems = args[0].equals("problems");
        file = Path.of(args[1]).resolve("slow-file.bin");
        if (problems) {
            byte[] block = new byte[MB];
            new java.util.Random(1).nextBytes(block);
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                for (int i = 0; i < FILE_MB; i++) {
                    ch.write(ByteBuffer.wrap(block));
                }
                ch.force(true); // on the disk now: the handler's reads then wait for the disk, not for writeback
            }
        }
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                String path = Request.getPathInContext(request);
                String body = switch (path) {
                    case "/lock" -> "state " + updateShared();
                    case "/file" -> "read " + readSlowFile();
                    default -> "hello";
                };
                response.setStatus(200);
                Content.Sink.write(response, true, body, callback);
                return true;
            }
        });
        server.start();
        int port = connector.getLocalPort();
        // the load comes from another JVM (without kfr): this one is the server only
        Process client = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Client.class.getName(), args[0], String.valueOf(port))
                .inheritIO().start();
        int rc = client.waitFor();
        server.stop();
        if (rc != 0) {
            System.exit(rc);
        }
        System.out.println("KFR-JETTY-DONE");
    }

    /** The load: bounded requests from a few threads. Usage: Client hello|problems &lt;port&gt;. */
    public static final class Client {
        private Client() {
        }

        public static void main(String[] args) throws Exception {
            boolean problems = args[0].equals("problems");
            int port = Integer.parseInt(args[1]);
            List<Thread> clients = new ArrayList<>();
            AtomicLong requests = new AtomicLong();
            if (problems) {
                for (int i = 0; i < 3; i++) {
                    clients.add(client(port, "/lock", 120, 0, requests, "client-lock-" + i));
                }
                clients.add(client(port, "/file", 60, 0, requests, "client-file"));
                clients.add(client(port, "/", 200, 2, requests, "client-hello"));
            } else {
                for (int i = 0; i < 2; i++) {
                    clients.add(client(port, "/", 400, 2, requests, "client-hello-" + i));
                }
            }
            clients.forEach(Thread::start);
            for (Thread t : clients) {
                t.join();
            }
            System.out.println("KFR-JETTY-CLIENT " + requests.get() + " requests");
        }
    }

    /** The known contended lock: held 3 ms per request while three clients ask at once. */
    static long updateShared() throws InterruptedException {
        SHARED.lock();
        try {
            Thread.sleep(3);
            return STATE.incrementAndGet();
        } finally {
            SHARED.unlock();
        }
    }

    /** The known slow synchronous read: O_DIRECT bypasses the page cache, every read waits for the disk. */
    static long readSlowFile() throws IOException {
        int align = (int) Math.max(4096, Files.getFileStore(file).getBlockSize());
        ByteBuffer buf = BUFFER.get().alignedSlice(align);
        long total = 0;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, com.sun.nio.file.ExtendedOpenOption.DIRECT)) {
            for (long pos = 0; ; pos += READ_MB * MB) {
                buf.clear().limit(READ_MB * MB);
                int n = ch.read(buf, pos);
                if (n <= 0) {
                    break;
                }
                total += n;
            }
        }
        return total;
    }

    private static Thread client(int port, String path, int count, long pauseMillis, AtomicLong requests, String name) {
        return new Thread(() -> {
            try {
                for (int i = 0; i < count; i++) {
                    HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + path).toURL()
                            .openConnection();
                    try (InputStream in = c.getInputStream()) {
                        in.readAllBytes();
                    }
                    if (c.getResponseCode() != 200) {
                        throw new IllegalStateException("HTTP " + c.getResponseCode());
                    }
                    requests.incrementAndGet();
                    if (pauseMillis > 0) {
                        Thread.sleep(pauseMillis);
                    }
                }
            } catch (Exception e) {
                e.printStackTrace();
                System.exit(3);
            }
        }, name);
    }
}
