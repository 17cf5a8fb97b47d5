package io.kfr.agent.cli;

import io.kfr.agent.AgentOptions;
import io.kfr.agent.OptionException;
import io.kfr.agent.OutputFile;
import io.kfr.agent.collectors.CollectorKinds;
import io.kfr.agent.collectors.ControlCommand;
import io.kfr.agent.control.ChannelPaths;
import io.kfr.agent.control.Reply;

import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * {@code start <pid> <options>}, {@code status <pid>}, {@code dump <pid> <file>}, {@code stop <pid>}
 * and {@code list}: the command line's control of running JVMs. Output of the target's kfr goes to
 * {@code out}; every error is one line "kfr: ..." on {@code err} and a non-zero exit code.
 * Usable in-process (tests): nothing here calls System.exit.
 */
public final class ControlCommands {
    static final String USAGE = String.join("\n",
            "  list                  this user's JVMs: pid, main class, whether kfr records",
            "  start <pid> [options] record in a running JVM (options as for -javaagent, e.g. offcpu,cpu,file=/tmp/app.jfr)",
            "  status <pid>          whether kfr records there, since when, events so far, lost records",
            "  dump <pid> <file.jfr> write the JVM's recording and kfr's events so far; recording goes on",
            "  stop <pid>            stop recording (writes file= if given) and release everything")
            + CollectorKinds.ALL.stream().flatMap(k -> k.controlCommands().stream()).map(ControlCommand::usage)
                    .filter(Objects::nonNull).map(u -> "\n" + u).collect(Collectors.joining());

    private final Path agentJar;
    private final PrintStream out;
    private final PrintStream err;

    public ControlCommands(Path agentJar, PrintStream out, PrintStream err) {
        this.agentJar = agentJar;
        this.out = out;
        this.err = err;
    }

    /** With the jar this class was loaded from (the kfr-agent.jar being run). */
    public static ControlCommands ofRunningJar() {
        Path jar = null;
        try {
            var source = ControlCommands.class.getProtectionDomain().getCodeSource();
            if (source != null) {
                jar = Path.of(source.getLocation().toURI());
            }
        } catch (URISyntaxException | SecurityException | IllegalArgumentException e) {
            // reported when needed
        }
        return new ControlCommands(jar, System.out, System.err);
    }

    /** Whether the command line takes {@code command} as one of these (a kind's control command with a usage line). */
    static boolean handles(String command) {
        switch (command) {
            case "list": case "start": case "status": case "dump": case "stop":
                return true;
            default:
                ControlCommand c = CollectorKinds.controlCommand(command);
                return c != null && c.usage() != null;
        }
    }

    /** @return the exit code: 0 done, 1 failed, 2 usage */
    public int run(String... args) {
        try {
            switch (args[0]) {
                case "list":
                    new JvmList(out).print();
                    return 0;
                case "start":
                    return args.length >= 2 && args.length <= 3
                            ? start(args[1], args.length == 3 ? args[2] : "") : usage("start needs a pid and options");
                case "status":
                    return args.length == 2 ? simple(args[1], "status", "") : usage("status needs a pid");
                case "stop":
                    return args.length == 2 ? simple(args[1], "stop", "") : usage("stop needs a pid");
                case "dump":
                    return args.length == 3 ? dump(args[1], args[2]) : usage("dump needs a pid and a file");
                default:
                    ControlCommand c = CollectorKinds.controlCommand(args[0]);
                    if (c == null) {
                        return usage("unknown command '" + args[0] + "'");
                    }
                    return args.length == 2 ? simple(args[1], c.name(), "") : usage(c.words() + " needs a pid");
            }
        } catch (TargetProcess.Problem e) {
            return fail(e.getMessage());
        }
    }

    private int start(String pid, String options) throws TargetProcess.Problem {
        String absolute;
        try {
            absolute = absoluteFiles(options);
        } catch (OptionException e) {
            return fail(e.getMessage());
        }
        TargetProcess target = TargetProcess.inspect(pid, "start", agentJar);
        ControlClient client = new ControlClient(target);
        unsafeDirectory(target);
        if (!client.isUp()) {
            if (target.attachDisabled()) {
                return fail("JVM " + target.pid() + " was started with -XX:+DisableAttachMechanism: kfr cannot be"
                        + " loaded into it; start it with -javaagent:kfr-agent.jar=<options> instead");
            }
            if (agentJar == null || !Files.isRegularFile(agentJar)) {
                return fail("cannot find kfr-agent.jar to load (this command must run from it: java -jar kfr-agent.jar)");
            }
            Attacher.load(agentJar, target);
            if (!client.isUp()) {
                return fail("kfr was loaded into JVM " + target.pid() + " but its control channel is not up;"
                        + " its output says why (kfr: control channel off: ...)");
            }
        }
        return answer(client.request("start", absolute));
    }

    private int dump(String pid, String file) throws TargetProcess.Problem {
        Path target = Path.of(file).toAbsolutePath().normalize();
        String problem = OutputFile.problem(target);
        if (problem != null) {
            return fail(problem.replace("file=", "dump file "));
        }
        return simple(pid, "dump", target.toString());
    }

    private int simple(String pid, String command, String argument) throws TargetProcess.Problem {
        TargetProcess target = TargetProcess.inspect(pid, command, agentJar);
        ControlClient client = new ControlClient(target);
        unsafeDirectory(target);
        if (!client.isUp()) {
            return fail("kfr is not loaded in JVM " + target.pid() + "; start it first: java -jar kfr-agent.jar start "
                    + target.pid() + " [options]");
        }
        return answer(client.request(command, argument));
    }

    /** The socket directory exists but is not the target user's private one: neither side uses it. */
    private static void unsafeDirectory(TargetProcess target) throws TargetProcess.Problem {
        Path dir = target.socket().getParent();
        String problem = Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS) ? ChannelPaths.check(dir, target.uid()) : null;
        if (problem != null) {
            throw new TargetProcess.Problem("kfr's control directory is not safe to use: " + problem);
        }
    }

    private int answer(Reply a) {
        a.lines().forEach(out::println);
        return a.error() == null ? 0 : fail(a.error());
    }

    /**
     * Checks the options here (a typo fails before anything is loaded) and makes file= absolute:
     * the target JVM resolves a relative path against its own working directory, not the user's.
     */
    static String absoluteFiles(String options) throws OptionException {
        AgentOptions parsed = AgentOptions.parse(options);
        if (parsed.file() != null) {
            String problem = OutputFile.problem(parsed.file().toAbsolutePath());
            if (problem != null) {
                throw new OptionException(problem);
            }
        }
        List<String> parts = new ArrayList<>();
        for (String item : options.split(",")) {
            String part = item.trim();
            if (part.startsWith("file=")) {
                part = "file=" + Path.of(part.substring(5).trim()).toAbsolutePath().normalize();
            } else if (part.startsWith("workingset=")) {
                part = "workingset=" + Path.of(part.substring(11).trim()).toAbsolutePath().normalize();
            }
            if (!part.isEmpty()) {
                parts.add(part);
            }
        }
        return String.join(",", parts);
    }

    private int usage(String what) {
        err.println("kfr: " + what + "\nusage: java -jar kfr-agent.jar <command>\n" + USAGE);
        return 2;
    }

    private int fail(String oneLine) {
        err.println("kfr: " + oneLine.replace('\n', ' '));
        return 1;
    }
}
