package io.kfr.agent.control;

import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

import java.io.BufferedWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * kfr's control channel inside the profiled JVM: a Unix domain socket served by one daemon thread,
 * "kfr-control", one request at a time. It stays up for the life of the JVM once started (one idle
 * thread and one file descriptor): later commands then reach this agent without loading it again —
 * every load through the attach API would add a JVMTI environment that the JVM never frees.
 * Only processes of the same user (or root) are answered (SO_PEERCRED), on top of the directory's
 * 0700.
 */
public final class ControlServer {
    /** Handles one request; never throws. */
    public interface Handler {
        Reply handle(String command, String argument);
    }

    private static final long REQUEST_MILLIS = 5_000;
    private final ServerSocketChannel server;
    private final Path socket;
    private final Handler handler;
    private final int uid;

    private ControlServer(ServerSocketChannel server, Path socket, Handler handler, int uid) {
        this.server = server;
        this.socket = socket;
        this.handler = handler;
        this.uid = uid;
    }

    /**
     * Binds the socket of this JVM and starts serving.
     * @throws IOException with a one-line message if the channel cannot be set up
     */
    public static ControlServer start(Handler handler) throws IOException {
        int uid = ChannelPaths.currentUid();
        String problem = ChannelPaths.prepare(uid);
        if (problem != null) {
            throw new IOException(problem);
        }
        Path socket = ChannelPaths.socket(uid, ProcessHandle.current().pid());
        Files.deleteIfExists(socket); // left by an earlier process with this pid
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            server.close();
            throw new IOException("cannot bind " + socket + ": " + e.getMessage());
        }
        ControlServer s = new ControlServer(server, socket, handler, uid);
        Thread t = new Thread(s::serve, "kfr-control");
        t.setDaemon(true);
        t.start();
        return s;
    }

    public Path socket() {
        return socket;
    }

    /** At JVM exit: the socket file goes (the thread is a daemon and ends with the JVM). */
    public void deleteSocket() {
        try {
            Files.deleteIfExists(socket);
        } catch (IOException ignored) {
            // /tmp is cleaned eventually; a stale socket is replaced by the next JVM with this pid
        }
    }

    private void serve() {
        while (server.isOpen()) {
            try (SocketChannel client = server.accept()) {
                answer(client);
            } catch (Throwable t) {
                // one bad client must not end the channel; the JVM's output stays clean
            }
        }
    }

    private void answer(SocketChannel client) throws IOException {
        BufferedWriter out = new BufferedWriter(new OutputStreamWriter(Channels.newOutputStream(client),
                StandardCharsets.UTF_8));
        Reply reply;
        if (!allowed(client)) {
            reply = Reply.error("kfr's control channel answers only uid " + uid + " and root");
        } else {
            String request = readLine(client);
            if (request == null || request.isBlank()) {
                reply = Reply.error("empty or too long request");
            } else {
                int space = request.indexOf(' ');
                String command = space < 0 ? request : request.substring(0, space);
                String argument = space < 0 ? "" : request.substring(space + 1);
                reply = handler.handle(command, argument);
            }
        }
        for (String line : reply.lines()) {
            out.write(line.replace('\n', ' '));
            out.write('\n');
        }
        out.write(reply.failed() ? Protocol.ERROR + reply.error() : Protocol.OK);
        out.write('\n');
        out.flush();
    }

    private boolean allowed(SocketChannel client) {
        try {
            UnixDomainPrincipal peer = client.getOption(ExtendedSocketOptions.SO_PEERCRED);
            String name = peer.user().getName();
            return name.equals(String.valueOf(uid)) || name.equals("root") || name.equals(ownUserName());
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private static String ownUserName() {
        return System.getProperty("user.name");
    }

    /**
     * The request line (up to '\n' or the end of input), or null if it is too long or does not
     * arrive within {@link #REQUEST_MILLIS}: a client that connects and says nothing must not
     * block the channel for everyone else.
     */
    private static String readLine(SocketChannel client) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        ByteBuffer b = ByteBuffer.allocate(1024);
        long deadline = System.nanoTime() + REQUEST_MILLIS * 1_000_000L;
        client.configureBlocking(false);
        try (Selector selector = Selector.open()) {
            client.register(selector, SelectionKey.OP_READ);
            while (true) {
                long left = (deadline - System.nanoTime()) / 1_000_000L;
                if (left <= 0) {
                    return null;
                }
                selector.select(left);
                selector.selectedKeys().clear();
                int n = client.read(b);
                if (n < 0) {
                    return line.toString(StandardCharsets.UTF_8);
                }
                b.flip();
                while (b.hasRemaining()) {
                    byte c = b.get();
                    if (c == '\n') {
                        return line.toString(StandardCharsets.UTF_8);
                    }
                    line.write(c);
                }
                b.clear();
                if (line.size() > Protocol.MAX_REQUEST) {
                    return null;
                }
            }
        } finally {
            client.configureBlocking(true); // the selector is closed by now: the reply is written blocking
        }
    }
}
