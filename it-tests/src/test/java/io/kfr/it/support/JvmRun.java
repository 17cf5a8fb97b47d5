package io.kfr.it.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a real child JVM (optionally with the kfr agent, optionally as another user) and captures its output. */
public final class JvmRun {
    public static final Path AGENT_JAR = Path.of(System.getProperty("kfr.agent.jar", "../agent/target/kfr-agent.jar"))
            .toAbsolutePath().normalize();
    private static final Path TEST_CLASSES = Path.of("target/test-classes").toAbsolutePath();

    private final Jdk jdk;
    private final List<String> jvmArgs = new ArrayList<>();
    private String agentOptions;
    private String user;
    private Path cgroup;
    private final List<String> mainAndArgs = new ArrayList<>();
    private Path classpath = TEST_CLASSES;
    private Path agentJar = AGENT_JAR;
    private boolean awaitKfrStart = true;
    private final java.util.Map<String, String> environment = new java.util.LinkedHashMap<>();

    private JvmRun(Jdk jdk) {
        this.jdk = jdk;
    }

    public static JvmRun on(Jdk jdk) {
        return new JvmRun(jdk);
    }

    public JvmRun agent(String options) {
        this.agentOptions = options;
        return this;
    }

    /** An environment variable of the child JVM (kfr's tuning variables, e.g. KFR_STACK_EPOCH_MS). */
    public JvmRun env(String name, String value) {
        environment.put(name, value);
        return this;
    }

    public JvmRun jvmArg(String arg) {
        jvmArgs.add(arg);
        return this;
    }

    /** Runs the JVM as this numeric uid (and gid), through setpriv, without any capability. */
    public JvmRun asUser(int uid) {
        this.user = String.valueOf(uid);
        return this;
    }

    public JvmRun main(Class<?> mainClass, String... args) {
        return main(mainClass.getName(), args);
    }

    public JvmRun main(String mainClass, String... args) {
        mainAndArgs.add(mainClass);
        mainAndArgs.addAll(List.of(args));
        return this;
    }

    /** The agent jar to load (default: agent/target/kfr-agent.jar). */
    /** Runs the JVM (and what it starts) in this cgroup v1 directory. */
    public JvmRun inCgroup(Path cgroupDir) {
        this.cgroup = cgroupDir;
        return this;
    }

    public JvmRun agentJar(Path jar) {
        this.agentJar = jar;
        return this;
    }

    /** Class path of the child (default: the it-tests' test classes). */
    public JvmRun classpath(Path path) {
        this.classpath = path;
        return this;
    }

    /** main runs at once, while kfr's collectors may still be loading (by default it waits for them). */
    public JvmRun mainWhileKfrStarts() {
        awaitKfrStart = false;
        return this;
    }

    public Result run(long timeoutSeconds) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        if (user != null) {
            cmd.addAll(List.of("setpriv", "--reuid=" + user, "--regid=" + user, "--clear-groups",
                    "--inh-caps=-all", "--bounding-set=-all", "--"));
        }
        if (cgroup != null) {
            cmd.addAll(List.of("sh", "-c", "echo $$ > \"$0/cgroup.procs\" && exec \"$@\"", cgroup.toString()));
        }
        cmd.add(jdk.java().toString());
        cmd.add("-Xshare:auto");
        cmd.addAll(jvmArgs);
        if (agentOptions != null) {
            cmd.add("-javaagent:" + agentJar + (agentOptions.isEmpty() ? "" : "=" + agentOptions));
            // main runs once kfr's collectors are attached
            if (awaitKfrStart) {
                cmd.add(AwaitKfrStart.jvmArg());
            }
        }
        cmd.add("-cp");
        cmd.add(classpath.toString());
        cmd.addAll(mainAndArgs);
        Path out = Files.createTempFile("kfr-it-out", ".txt");
        Path err = Files.createTempFile("kfr-it-err", ".txt");
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().putAll(environment);
            Process p = pb.start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                throw new AssertionError("JVM did not finish within " + timeoutSeconds + " s: " + cmd
                        + "\nstderr:\n" + Files.readString(err));
            }
            return new Result(cmd, p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    public record Result(List<String> command, int exitCode, String stdout, String stderr) {
        /** Lines kfr printed on stderr. */
        public List<String> kfrLines() {
            return stderr.lines().filter(l -> l.startsWith("kfr: ")).toList();
        }

        public String describe() {
            return "command: " + String.join(" ", command) + "\nexit: " + exitCode + "\nstdout:\n" + stdout
                    + "\nstderr:\n" + stderr;
        }
    }
}
