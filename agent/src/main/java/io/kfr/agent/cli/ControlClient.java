package io.kfr.agent.cli;

import io.kfr.agent.control.ChannelPaths;
import io.kfr.agent.control.Protocol;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The command line's side of a JVM's kfr control channel: one request, its reply. */
final class ControlClient {
    /** A dump of a long recording may take a while; a JVM that stops answering must not hang the command. */
    private static final long TIMEOUT_MILLIS = 120_000;
    /** For list: a JVM that does not answer at once is shown as such. */
    static final long QUICK_TIMEOUT_MILLIS = 2_000;

    /** The reply: its lines (without the status line) and null or the error. */
    record Answer(List<String> lines, String error) {
    }

    private final TargetProcess target;
    private final long timeoutMillis;

    ControlClient(TargetProcess target) {
        this(target, TIMEOUT_MILLIS);
    }

    ControlClient(TargetProcess target, long timeoutMillis) {
        this.target = target;
        this.timeoutMillis = timeoutMillis;
    }

    /** kfr is loaded in the target and its channel answers. */
    boolean isUp() {
        Path socket = target.socket();
        if (!Files.exists(socket) || ChannelPaths.check(socket.getParent(), target.uid()) != null) {
            return false;
        }
        try {
            return request("ping", "").error() == null;
        } catch (TargetProcess.Problem e) {
            return false; // a stale socket of an earlier process with this pid
        }
    }

    /**
     * Sends one request and reads the reply.
     * @throws TargetProcess.Problem with one line when the channel cannot be used or the JVM exits meanwhile
     */
    Answer request(String command, String argument) throws TargetProcess.Problem {
        Path socket = target.socket();
        String dirProblem = ChannelPaths.check(socket.getParent(), target.uid());
        if (dirProblem != null) {
            throw new TargetProcess.Problem("kfr's control directory is not safe to use: " + dirProblem);
        }
        List<String> lines = new ArrayList<>();
        SocketChannel ch;
        try {
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        } catch (IOException e) {
            throw new TargetProcess.Problem("cannot open a Unix domain socket: " + e.getMessage());
        }
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(timeoutMillis);
                ch.close();
            } catch (InterruptedException | IOException done) {
                // answered in time
            }
        }, "kfr-cli-timeout");
        watchdog.setDaemon(true);
        watchdog.start();
        try (ch) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            String request = argument.isEmpty() ? command : command + " " + argument;
            ch.write(StandardCharsets.UTF_8.encode(request.replace('\n', ' ') + "\n"));
            ch.shutdownOutput();
            BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(ch), StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                if (line.equals(Protocol.OK)) {
                    return new Answer(lines, null);
                }
                if (line.startsWith(Protocol.ERROR)) {
                    return new Answer(lines, line.substring(Protocol.ERROR.length()));
                }
                lines.add(line);
            }
        } catch (IOException e) {
            if (!target.alive()) {
                throw new TargetProcess.Problem("JVM " + target.pid() + " exited during the command");
            }
            if (!watchdog.isAlive()) {
                throw new TargetProcess.Problem("JVM " + target.pid() + " did not answer within "
                        + timeoutMillis / 1000 + " s");
            }
            throw new TargetProcess.Problem("cannot reach kfr in JVM " + target.pid() + " through " + socket + ": "
                    + e.getMessage());
        } finally {
            watchdog.interrupt();
        }
        if (!target.alive()) {
            throw new TargetProcess.Problem("JVM " + target.pid() + " exited during the command");
        }
        throw new TargetProcess.Problem("kfr in JVM " + target.pid() + " closed the connection without an answer");
    }
}
