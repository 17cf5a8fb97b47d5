package io.kfr.it.support;

import io.kfr.agent.cli.ControlCommands;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs kfr's control commands: in this JVM through the command line's own classes (fast, for many
 * cycles), or end to end as {@code java -jar kfr-agent.jar ...} (optionally as another user).
 */
public final class Cli {
    private Cli() {
    }

    public record Result(int exitCode, String stdout, String stderr) {
        /** The lines kfr printed on stderr. */
        public List<String> kfrLines() {
            return stderr.lines().filter(l -> l.startsWith("kfr: ")).toList();
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\nstdout:\n" + stdout + "\nstderr:\n" + stderr;
        }
    }

    public static Result inProcess(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = new ControlCommands(JvmRun.AGENT_JAR, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run(args);
        return new Result(rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** {@code java -jar <jar> args} on the given JDK, as {@code uid} (null: this user). */
    public static Result jar(Jdk jdk, Path jar, Integer uid, String... args) throws IOException, InterruptedException {
        return jar(jdk, List.of(), jar, uid, args);
    }

    /** {@code java <jvmArgs> -jar <jar> args} on the given JDK, as {@code uid} (null: this user). */
    public static Result jar(Jdk jdk, List<String> jvmArgs, Path jar, Integer uid, String... args)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        if (uid != null) {
            cmd.addAll(List.of("setpriv", "--reuid=" + uid, "--regid=" + uid, "--clear-groups",
                    "--inh-caps=-all", "--bounding-set=-all", "--"));
        }
        cmd.add(jdk.java().toString());
        cmd.addAll(jvmArgs);
        cmd.addAll(List.of("-jar", jar.toString()));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("kfr-it-cli", ".out");
        Path err = Files.createTempFile("kfr-it-cli", ".err");
        try {
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                throw new AssertionError("kfr command did not finish in 60 s: " + cmd + "\n" + Files.readString(err));
            }
            return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
