package io.kfr.it.control;

import io.kfr.it.support.Jdk;
import io.kfr.it.support.workload.Steady;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A running JVM (the Steady workload) for the control commands to attach to: started, waited for
 * until it prints READY, killed at close. Its stdout and stderr go to files the test can read.
 */
final class TargetJvm implements AutoCloseable {
    final Process process;
    final Path log;
    final Path err;

    private TargetJvm(Process process, Path log, Path err) {
        this.process = process;
        this.log = log;
        this.err = err;
    }

    static Builder on(Jdk jdk) {
        return new Builder(jdk);
    }

    long pid() {
        return process.pid();
    }

    String stderr() throws IOException {
        return Files.readString(err);
    }

    String describe() throws IOException {
        return "target " + pid() + " stdout:\n" + Files.readString(log) + "\nstderr:\n" + stderr();
    }

    /** Exit code after at most {@code seconds}, or -1 if still running. */
    int waitFor(long seconds) throws InterruptedException {
        return process.waitFor(seconds, TimeUnit.SECONDS) ? process.exitValue() : -1;
    }

    @Override
    public void close() throws Exception {
        process.destroy(); // SIGTERM: shutdown hooks run, kfr's removes its control socket
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
        Files.deleteIfExists(log);
        Files.deleteIfExists(err);
    }

    static final class Builder {
        private final Jdk jdk;
        private final List<String> jvmArgs = new ArrayList<>();
        private Path classpath = Path.of("target/test-classes").toAbsolutePath();
        private Integer uid;
        private int lifetimeSeconds = 120;
        private final java.util.Map<String, String> env = new java.util.HashMap<>();

        private Builder(Jdk jdk) {
            this.jdk = jdk;
        }

        Builder jvmArg(String a) {
            jvmArgs.add(a);
            return this;
        }

        Builder classpath(Path p) {
            classpath = p;
            return this;
        }

        /** Runs as this uid without capabilities (setpriv). */
        Builder asUser(int u) {
            uid = u;
            return this;
        }

        Builder env(String name, String value) {
            env.put(name, value);
            return this;
        }

        /** Exits with 3 after this many seconds. */
        Builder lifetime(int seconds) {
            lifetimeSeconds = seconds;
            return this;
        }

        TargetJvm start() throws Exception {
            List<String> cmd = new ArrayList<>();
            if (uid != null) {
                cmd.addAll(List.of("setpriv", "--reuid=" + uid, "--regid=" + uid, "--clear-groups",
                        "--inh-caps=-all", "--bounding-set=-all", "--"));
            }
            cmd.add(jdk.java().toString());
            cmd.addAll(jvmArgs);
            cmd.addAll(List.of("-cp", classpath.toString(), Steady.class.getName(), String.valueOf(lifetimeSeconds)));
            Path log = Files.createTempFile("kfr-it-target", ".out");
            Path err = Files.createTempFile("kfr-it-target", ".err");
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(log.toFile()).redirectError(err.toFile());
            pb.environment().putAll(env);
            Process p = pb.start();
            TargetJvm t = new TargetJvm(p, log, err);
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!Files.readString(log).contains("READY")) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    String seen = t.describe();
                    t.close();
                    throw new AssertionError("target JVM did not start: " + cmd + "\n" + seen);
                }
                Thread.sleep(20);
            }
            return t;
        }
    }
}
