package io.kfr.agent.cli;

import io.kfr.agent.control.ChannelPaths;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the command line learns about a target process from /proc before talking to it: that it
 * exists, whose it is, that it is a HotSpot JVM recent enough for kfr, and whether it accepts
 * attach requests. Each check fails with one line that says what to do.
 */
final class TargetProcess {
    private final long pid;
    private final int uid;
    private final String userName;
    private final String exe;
    private final Path javaHome;

    TargetProcess(long pid, int uid, String userName, String exe, Path javaHome) {
        this.pid = pid;
        this.uid = uid;
        this.userName = userName;
        this.exe = exe;
        this.javaHome = javaHome;
    }

    public long pid() {
        return pid;
    }

    public int uid() {
        return uid;
    }

    public String userName() {
        return userName;
    }

    public String exe() {
        return exe;
    }

    public Path javaHome() {
        return javaHome;
    }

    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof TargetProcess)) {
            return false;
        }
        TargetProcess o = (TargetProcess) other;
        return pid == o.pid && uid == o.uid && Objects.equals(userName, o.userName) && Objects.equals(exe, o.exe)
                && Objects.equals(javaHome, o.javaHome);
    }

    @Override
    public int hashCode() {
        int h = 0;
        h = 31 * h + Long.hashCode(pid);
        h = 31 * h + Integer.hashCode(uid);
        h = 31 * h + Objects.hashCode(userName);
        h = 31 * h + Objects.hashCode(exe);
        h = 31 * h + Objects.hashCode(javaHome);
        return h;
    }

    @Override
    public String toString() {
        return "TargetProcess[pid=" + pid + ", uid=" + uid + ", userName=" + userName + ", exe=" + exe
                + ", javaHome=" + javaHome + "]";
    }

    private static final String DISABLE_ATTACH = "-XX:+DisableAttachMechanism";
    private static final Pattern JAVA_VERSION = Pattern.compile("^JAVA_VERSION=\"(\\d+)(?:\\.[^\"]*)?\"", Pattern.MULTILINE);

    /** A failed check: the message is the one line the user sees. */
    static final class Problem extends Exception {
        Problem(String oneLine) {
            super(oneLine, null, false, false);
        }
    }

    /** Parses and checks {@code pidText}, the target of {@code command}. */
    static TargetProcess inspect(String pidText, String command, Path agentJar) throws Problem {
        long pid;
        try {
            pid = Long.parseLong(pidText);
        } catch (NumberFormatException e) {
            throw new Problem("not a process id: '" + pidText + "' (see 'java -jar kfr-agent.jar list')");
        }
        Path proc = Path.of("/proc", Long.toString(pid));
        if (pid <= 0 || !Files.isDirectory(proc)) {
            throw new Problem("no process " + pid);
        }
        int uid;
        String user;
        int me;
        try {
            uid = (Integer) Files.getAttribute(proc, "unix:uid");
            user = Files.getOwner(proc).getName();
            me = ChannelPaths.currentUid();
        } catch (IOException e) {
            throw gone(pid);
        }
        if (uid != me && me != 0) {
            throw new Problem("process " + pid + " belongs to user " + user + "; run kfr as " + user + ", e.g. sudo -u "
                    + user + " java -jar " + agentJar + " " + command + " " + pid);
        }
        String exe = exe(proc);
        String maps;
        try {
            maps = Files.readString(proc.resolve("maps"), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw Files.isDirectory(proc) ? new Problem("not allowed to inspect process " + pid + " (cannot read /proc/"
                    + pid + "/maps: " + e.getClass().getSimpleName() + ")") : gone(pid);
        }
        Path libjvm = maps.lines().map(l -> l.substring(l.lastIndexOf(' ') + 1))
                .filter(f -> f.endsWith("/libjvm.so")).findFirst().map(Path::of).orElse(null);
        if (maps.isEmpty()) { // its memory is gone: a process that is exiting (or a zombie)
            throw new Problem("process " + pid + " (" + exe + ") is exiting");
        }
        if (libjvm == null) {
            throw new Problem("process " + pid + " (" + exe + ") is not a Java VM (no libjvm.so in its memory)");
        }
        // <home>/lib/server/libjvm.so
        Path home = libjvm.getParent() == null || libjvm.getParent().getParent() == null ? null
                : libjvm.getParent().getParent().getParent();
        TargetProcess t = new TargetProcess(pid, uid, user, exe, home);
        t.checkVersion();
        return t;
    }

    private static Problem gone(long pid) {
        return new Problem("no process " + pid + " (it exited)");
    }

    private static String exe(Path proc) {
        try {
            return Files.readSymbolicLink(proc.resolve("exe")).toString();
        } catch (IOException | UnsupportedOperationException e) {
            try {
                return Files.readString(proc.resolve("comm")).trim();
            } catch (IOException e2) {
                return "?";
            }
        }
    }

    /** kfr's classes need Java 11: an older JVM would refuse the agent (its gate prints why in the JVM's output). */
    private void checkVersion() throws Problem {
        if (javaHome == null) {
            return;
        }
        try {
            Matcher m = JAVA_VERSION.matcher(Files.readString(javaHome.resolve("release")));
            if (m.find()) {
                int major = Integer.parseInt(m.group(1));
                if (major == 1 || major < 11) {
                    throw new Problem("JVM " + pid + " runs Java " + m.group(1) + " (" + javaHome
                            + "); kfr needs Java 11 or later");
                }
            }
        } catch (IOException | NumberFormatException e) {
            // no release file (a custom image): let the attach decide
        }
    }

    /** The JVM does not accept attach requests (it was started with -XX:+DisableAttachMechanism). */
    boolean attachDisabled() {
        Path proc = Path.of("/proc", Long.toString(pid));
        try {
            byte[] cmdline = Files.readAllBytes(proc.resolve("cmdline"));
            boolean disabled = false;
            for (String arg : new String(cmdline, StandardCharsets.UTF_8).split("\0")) {
                if (arg.equals(DISABLE_ATTACH)) {
                    disabled = true;
                } else if (arg.equals("-XX:-DisableAttachMechanism")) {
                    disabled = false;
                }
            }
            if (disabled) {
                return true;
            }
            byte[] env = Files.readAllBytes(proc.resolve("environ"));
            for (String var : new String(env, StandardCharsets.UTF_8).split("\0")) {
                for (String name : List.of("JAVA_TOOL_OPTIONS=", "JDK_JAVA_OPTIONS=", "_JAVA_OPTIONS=")) {
                    if (var.startsWith(name) && var.contains(DISABLE_ATTACH)) {
                        return true;
                    }
                }
            }
        } catch (IOException e) {
            // cannot tell: the attach itself will fail with a timeout
        }
        return false;
    }

    boolean alive() {
        return Files.isDirectory(Path.of("/proc", Long.toString(pid)));
    }

    Path socket() {
        return ChannelPaths.socket(uid, pid);
    }
}
