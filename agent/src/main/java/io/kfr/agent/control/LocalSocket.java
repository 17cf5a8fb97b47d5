package io.kfr.agent.control;

import io.kfr.collectors.natives.NativeLibrary;
import io.kfr.collectors.natives.UnixSockets;

import java.io.Closeable;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.file.Path;

/**
 * One connected Unix domain socket of the control channel (libkfr's {@link UnixSockets}: the same
 * calls on every JDK from 11 on, so a command line on one version reaches an agent on another).
 */
public final class LocalSocket implements Closeable {
    private final int fd;
    private boolean closed;

    LocalSocket(int fd) {
        this.fd = fd;
    }

    /** Connects to the socket at {@code path}. */
    public static LocalSocket connect(Path path) throws IOException {
        loadLibrary();
        return new LocalSocket(check(UnixSockets.connect(path.toString()), "connect to " + path));
    }

    static void loadLibrary() throws IOException {
        String problem = NativeLibrary.load();
        if (problem != null) {
            throw new IOException(problem);
        }
    }

    static int check(int result, String what) throws IOException {
        if (result < 0) {
            throw new IOException("cannot " + what + ": " + UnixSockets.describe(-result));
        }
        return result;
    }

    /** The uid of the process at the other end. */
    public int peerUid() throws IOException {
        return check(UnixSockets.peerUid(fd), "read the peer's credentials");
    }

    /**
     * Up to len bytes into b[off..]; -1 at the end of input.
     * @throws SocketTimeoutException when nothing arrives within timeoutMillis
     */
    public int read(byte[] b, int off, int len, long timeoutMillis) throws IOException {
        int n = UnixSockets.read(fd, b, off, len, (int) Math.max(0, Math.min(Integer.MAX_VALUE, timeoutMillis)));
        if (n == -UnixSockets.ETIMEDOUT) {
            throw new SocketTimeoutException("no answer within " + timeoutMillis + " ms");
        }
        return check(n, "read") == 0 ? -1 : n;
    }

    public void write(byte[] b) throws IOException {
        check(UnixSockets.write(fd, b, 0, b.length), "write");
    }

    /** The other end reads the end of input. */
    public void shutdownOutput() throws IOException {
        check(UnixSockets.shutdownOutput(fd), "shut down the output");
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            UnixSockets.close(fd);
        }
    }
}
