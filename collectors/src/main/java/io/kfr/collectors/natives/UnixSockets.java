package io.kfr.collectors.natives;

/**
 * Unix domain stream sockets through libkfr (native/src/control/unix_socket_jni.c), for kfr's
 * control channel: Java has them only from 16 on, and the agent and the command line run on 11
 * and talk across versions. File descriptors are plain ints; every call returns a result &gt;= 0
 * or -errno. {@link NativeLibrary#load()} must have succeeded.
 */
public final class UnixSockets {
    /** ETIMEDOUT, as {@link #read} returns it negated. */
    public static final int ETIMEDOUT = 110;

    private UnixSockets() {
    }

    /** A socket bound to {@code path} and listening: its fd, or -errno. */
    public static native int listen(String path, int backlog);

    /** Blocks for the next connection: its fd, or -errno (the listening fd was closed). */
    public static native int accept(int fd);

    /** The uid of the connected peer (SO_PEERCRED), or -errno. */
    public static native int peerUid(int fd);

    /** A socket connected to {@code path}: its fd, or -errno. */
    public static native int connect(String path);

    /** Up to len bytes into b[off..]: their count, 0 at the end of input, -ETIMEDOUT when none came in time. */
    public static native int read(int fd, byte[] b, int off, int len, int timeoutMillis);

    /** Writes all of b[off..off+len): len, or -errno. */
    public static native int write(int fd, byte[] b, int off, int len);

    /** Ends this side's output (the peer reads the end of input). */
    public static native int shutdownOutput(int fd);

    /** Closes fd (a thread in {@link #accept} on it returns). */
    public static native int close(int fd);

    /** The words for an errno. */
    public static native String describe(int errno);
}
