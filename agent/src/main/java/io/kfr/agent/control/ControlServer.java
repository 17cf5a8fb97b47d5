package io.kfr.agent.control;

import io.kfr.collectors.natives.UnixSockets;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketTimeoutException;
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
    /** The listening socket's file descriptor (libkfr's {@link UnixSockets}). */
    private final int server;
    private final Path socket;
    private final Handler handler;
    private final int uid;

    private ControlServer(int server, Path socket, Handler handler, int uid) {
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
        Path socket = ChannelPaths.socket(uid, io.kfr.collectors.Tids.process());
        Files.deleteIfExists(socket); // left by an earlier process with this pid
        LocalSocket.loadLibrary();
        int server = UnixSockets.listen(socket.toString(), 16);
        if (server < 0) {
            throw new IOException("cannot bind " + socket + ": " + UnixSockets.describe(-server));
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

    /**
     * At JVM exit: the listening socket closes, which ends the serving thread's accept, and the
     * socket file goes. The thread must not stay in accept (native code): once the shutdown hooks
     * are done HotSpot waits up to 300 ms for threads inside native code, at every exit.
     */
    public void closeAtExit() {
        UnixSockets.close(server);
        try {
            Files.deleteIfExists(socket);
        } catch (IOException ignored) {
            // /tmp is cleaned eventually; a stale socket is replaced by the next JVM with this pid
        }
    }

    private void serve() {
        while (true) {
            int fd = UnixSockets.accept(server);
            if (fd < 0) {
                return; // the listening socket is gone
            }
            try (LocalSocket client = new LocalSocket(fd)) {
                answer(client);
            } catch (Throwable t) {
                // one bad client must not end the channel; the JVM's output stays clean
            }
        }
    }

    private void answer(LocalSocket client) throws IOException {
        StringBuilder out = new StringBuilder();
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
            out.append(line.replace('\n', ' ')).append('\n');
        }
        out.append(reply.failed() ? Protocol.ERROR + reply.error() : Protocol.OK).append('\n');
        client.write(out.toString().getBytes(StandardCharsets.UTF_8));
    }

    private boolean allowed(LocalSocket client) {
        try {
            int peer = client.peerUid();
            return peer == uid || peer == 0;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The request line (up to '\n' or the end of input), or null if it is too long or does not
     * arrive within {@link #REQUEST_MILLIS}: a client that connects and says nothing must not
     * block the channel for everyone else.
     */
    private static String readLine(LocalSocket client) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        byte[] b = new byte[1024];
        long deadline = System.nanoTime() + REQUEST_MILLIS * 1_000_000L;
        while (true) {
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            if (left <= 0) {
                return null;
            }
            int n;
            try {
                n = client.read(b, 0, b.length, left);
            } catch (SocketTimeoutException e) {
                return null;
            }
            if (n < 0) {
                return new String(line.toByteArray(), StandardCharsets.UTF_8);
            }
            for (int i = 0; i < n; i++) {
                if (b[i] == '\n') {
                    return new String(line.toByteArray(), StandardCharsets.UTF_8);
                }
                line.write(b[i]);
            }
            if (line.size() > Protocol.MAX_REQUEST) {
                return null;
            }
        }
    }
}
