package io.kfr.agent.cli;

import io.kfr.agent.control.ChannelPaths;
import io.kfr.agent.control.LocalSocket;
import io.kfr.agent.control.Protocol;
import io.kfr.agent.control.Reply;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketTimeoutException;
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
    Reply request(String command, String argument) throws TargetProcess.Problem {
        Path socket = target.socket();
        String dirProblem = ChannelPaths.check(socket.getParent(), target.uid());
        if (dirProblem != null) {
            throw new TargetProcess.Problem("kfr's control directory is not safe to use: " + dirProblem);
        }
        List<String> lines = new ArrayList<>();
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        try (LocalSocket ch = LocalSocket.connect(socket)) {
            String request = argument.isEmpty() ? command : command + " " + argument;
            ch.write((request.replace('\n', ' ') + "\n").getBytes(StandardCharsets.UTF_8));
            ch.shutdownOutput();
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            byte[] b = new byte[4096];
            int n;
            while ((n = ch.read(b, 0, b.length, Math.max(1, (deadline - System.nanoTime()) / 1_000_000L))) >= 0) {
                for (int i = 0; i < n; i++) {
                    if (b[i] != '\n') {
                        line.write(b[i]);
                        continue;
                    }
                    String text = new String(line.toByteArray(), StandardCharsets.UTF_8);
                    line.reset();
                    if (text.equals(Protocol.OK)) {
                        return new Reply(lines, null);
                    }
                    if (text.startsWith(Protocol.ERROR)) {
                        return new Reply(lines, text.substring(Protocol.ERROR.length()));
                    }
                    lines.add(text);
                }
            }
        } catch (SocketTimeoutException e) {
            throw new TargetProcess.Problem("JVM " + target.pid() + " did not answer within "
                    + timeoutMillis / 1000 + " s");
        } catch (IOException e) {
            if (!target.alive()) {
                throw new TargetProcess.Problem("JVM " + target.pid() + " exited during the command");
            }
            throw new TargetProcess.Problem("cannot reach kfr in JVM " + target.pid() + " through " + socket + ": "
                    + e.getMessage());
        }
        if (!target.alive()) {
            throw new TargetProcess.Problem("JVM " + target.pid() + " exited during the command");
        }
        throw new TargetProcess.Problem("kfr in JVM " + target.pid() + " closed the connection without an answer");
    }
}
