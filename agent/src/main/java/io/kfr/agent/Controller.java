package io.kfr.agent;

import io.kfr.agent.collectors.CollectorKind;
import io.kfr.agent.collectors.CollectorKinds;
import io.kfr.agent.collectors.ControlCommand;
import io.kfr.agent.control.ControlServer;
import io.kfr.agent.control.Reply;
import io.kfr.collectors.CollectorCounters;
import io.kfr.collectors.CollectorStatistics;
import io.kfr.collectors.offcpu.OffCpuCounters;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The one kfr recording of this JVM and the commands on it: start, status, dump, stop, from the
 * agent's options or through the control channel. Owns the single shutdown hook, which stops a
 * recording still running at exit and removes the channel's socket. Every error is one line, in
 * the reply and on this JVM's stderr; nothing is thrown at the JVM.
 */
final class Controller implements ControlServer.Handler {
    static final Controller INSTANCE = new Controller();

    private Session session;
    private String sessionOptions;
    private volatile ControlServer server; // read by the exit hook without the lock
    private boolean channelTried;
    private boolean hookInstalled;
    private volatile boolean exiting;
    /**
     * How long the exit hook waits for a start in progress. A SIGTERM can land while premain is
     * inside JFR's Recording.start, which then never returns (JFR's recorder is already shut down);
     * a hook that waited for it would keep the JVM from exiting.
     */
    private static final long START_WAIT_AT_EXIT_MILLIS = 5_000;
    private final Object startEnded = new Object();
    private boolean starting;

    private Controller() {
    }

    /**
     * premain, or agentmain with options: records with {@code args} and opens the channel.
     * @return null when recording (or the JVM is exiting), else why not: the one line also logged
     */
    synchronized String startAtLaunch(String args, boolean atJvmStart) {
        synchronized (startEnded) {
            starting = true;
        }
        try {
            return startAtLaunchNow(args, atJvmStart);
        } finally {
            synchronized (startEnded) {
                starting = false;
                startEnded.notifyAll();
            }
        }
    }

    private String startAtLaunchNow(String args, boolean atJvmStart) {
        String notStarted = null;
        try {
            installHook();
            if (session != null) {
                notStarted = "already recording in this JVM; options '" + args + "' ignored";
            } else {
                AgentOptions options = AgentOptions.parse(args);
                Log.quiet(options.quiet());
                String problem = options.file() == null ? null : OutputFile.problem(options.file());
                if (problem != null) {
                    notStarted = problem + " (kfr not started)";
                } else {
                    session = Session.start(options, atJvmStart);
                    sessionOptions = args == null ? "" : args;
                }
            }
        } catch (OptionException e) {
            notStarted = e.getMessage() + " (kfr not started)";
        } catch (ShuttingDown e) {
            Log.info(e.getMessage());
            return null;
        } catch (Throwable t) {
            if (shutdownInProgress(t)) { // SIGTERM while starting: JFR's or another hook came too late
                exiting = true;
                Log.info(new ShuttingDown().getMessage());
                return null;
            }
            notStarted = "not started: " + t;
        }
        if (notStarted != null) {
            Log.error(notStarted);
        }
        if (atJvmStart) {
            // off the JVM's start-up path: the JDK's first Unix-domain socket seeds a SecureRandom
            // (0.1-0.3 s of CPU); a command that comes first opens it itself (agentmain "control")
            Thread t = new Thread(this::openChannel, "kfr-control-open");
            t.setDaemon(true);
            t.start();
        } else {
            openChannel();
        }
        return notStarted;
    }

    /** Makes sure the control channel runs (agentmain "control"); tried once per JVM. */
    synchronized void openChannel() {
        try {
            installHook();
            if (channelTried || exiting) {
                return; // exiting: the hook has deleted the socket, or will find none
            }
            channelTried = true;
            server = ControlServer.start(this);
        } catch (IOException e) {
            Log.error("control channel off: " + e.getMessage() + " (kfr status/dump/stop cannot reach this JVM)");
        } catch (ShuttingDown e) {
            // the JVM is exiting: no channel to open
        } catch (Throwable t) {
            Log.error("control channel off: " + t);
        }
    }

    private void installHook() {
        if (!hookInstalled) {
            try {
                Runtime.getRuntime().addShutdownHook(new Thread(this::atExit, "kfr-shutdown"));
            } catch (IllegalStateException e) { // "Shutdown in progress": a SIGTERM came during start
                exiting = true;
                throw new ShuttingDown();
            }
            hookInstalled = true;
        }
    }

    /** The JVM began to shut down before kfr started: nothing to start, nothing to say but that. */
    /** The JDK's refusal of a shutdown hook (JFR's recorder, a file's deleteOnExit) once the JVM exits. */
    static boolean shutdownInProgress(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof IllegalStateException && "Shutdown in progress".equals(c.getMessage())) {
                return true;
            }
        }
        return false;
    }

    private static final class ShuttingDown extends RuntimeException {
        ShuttingDown() {
            super("the JVM is shutting down; kfr not started", null, false, false);
        }
    }

    private void atExit() {
        exiting = true;
        try {
            if (!startEndedWithin(START_WAIT_AT_EXIT_MILLIS)) {
                Log.error("the JVM is exiting while kfr is still starting (in JFR's start); nothing is written");
                return;
            }
            synchronized (this) {
                try {
                    if (session != null) {
                        session.stop(true);
                        session = null;
                    }
                } catch (Throwable t) {
                    Log.error("stopping failed: " + t);
                }
            }
        } finally {
            ControlServer s = server; // without the lock: a start still running may hold it
            if (s != null) {
                s.closeAtExit();
            }
        }
    }

    /** False if a start is still in progress after waiting {@code millis}. */
    private boolean startEndedWithin(long millis) {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        synchronized (startEnded) {
            while (starting) {
                long left = (deadline - System.nanoTime()) / 1_000_000L;
                if (left <= 0) {
                    return false;
                }
                try {
                    startEnded.wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return true;
        }
    }

    private Reply dispatch(String command, String argument) throws Exception {
        switch (command) {
            case "start":
                return start(argument);
            case "status":
                return status();
            case "dump":
                return dump(argument);
            case "stop":
                return stop();
            case "ping":
                return Reply.ok("kfr " + version());
            default:
                ControlCommand c = CollectorKinds.controlCommand(command);
                return c != null ? collectorCommand(c) : Reply.error("unknown control command '" + command + "'");
        }
    }

    @Override
    public Reply handle(String command, String argument) {
        Reply reply;
        try {
            if (exiting) {
                reply = Reply.error("the JVM is exiting");
            } else {
                reply = dispatch(command, argument);
            }
        } catch (Throwable t) {
            reply = Reply.error(command + " failed: " + t);
        }
        if (reply.failed()) {
            Log.error(reply.error());
        }
        return reply;
    }

    private static String version() {
        String v = Controller.class.getPackage().getImplementationVersion();
        return v != null ? v : "(development build)";
    }

    private synchronized Reply start(String text) throws IOException {
        AgentOptions options;
        try {
            options = AgentOptions.parse(text);
        } catch (OptionException e) {
            return Reply.error(e.getMessage() + " (kfr not started)");
        }
        if (session != null) {
            if (session.options().equals(options)) {
                return Reply.ok("already recording with these options since " + session.since() + "; nothing changed");
            }
            return Reply.error("already recording since " + session.since() + " with options '" + sessionOptions
                    + "'; stop first");
        }
        String problem = options.file() == null ? null : OutputFile.problem(options.file());
        if (problem != null) {
            return Reply.error(problem + " (kfr not started)");
        }
        Log.quiet(options.quiet());
        Session s = Session.start(options, false);
        if (!s.collecting()) {
            s.stop(false);
            return Reply.error(String.join("; ", s.problems()) + " (kfr not started)");
        }
        session = s;
        sessionOptions = text;
        List<String> lines = new ArrayList<>();
        lines.add("recording since " + s.since() + " with options '" + text + "'");
        for (String p : s.problems()) {
            lines.add("warning: " + p);
            Log.error(p);
        }
        return Reply.ok(lines);
    }

    private synchronized Reply status() {
        long pid = ProcessHandle.current().pid();
        if (session == null) {
            return Reply.ok("pid " + pid + ": not recording");
        }
        List<String> lines = new ArrayList<>();
        Duration running = Duration.between(session.since(), Instant.now());
        lines.add("pid " + pid + ": recording since " + session.since() + " (" + running.toSeconds() + " s)");
        lines.add("options: " + (sessionOptions.isEmpty() ? "(defaults)" : sessionOptions));
        Path file = session.options().file();
        lines.add("file at stop: " + (file == null ? "none" : file.toAbsolutePath()));
        String starting = session.starting();
        if (starting != null) {
            lines.add("starting: " + starting + " (loading its BPF programs; nothing recorded by it until attached)");
        }
        Map<String, Long> counts = session.eventCounts();
        lines.add("events: " + (counts.isEmpty() ? "none yet" : counts.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" "))));
        for (Map.Entry<String, CollectorStatistics> e : session.statistics().entrySet()) {
            CollectorStatistics s = e.getValue();
            lines.add("collector " + e.getKey() + ": lost=" + s.get(OffCpuCounters.RECORDS_LOST)
                    + " dropped=" + s.get(CollectorCounters.RECORDS_DROPPED)
                    + " bpfRuns=" + s.get(CollectorCounters.BPF_RUN_COUNT) + " cost: " + cost(s, running));
        }
        String lost = session.lostNote();
        if (!lost.isEmpty()) {
            lines.add("lost so far: " + lost.substring(2));
        }
        session.problems().forEach(p -> lines.add("warning: " + p));
        return Reply.ok(lines);
    }

    /** What the collector cost so far: its BPF programs and its thread, as a share of one CPU. */
    private static String cost(CollectorStatistics s, Duration running) {
        long bpf = s.get(CollectorCounters.BPF_RUN_TIME);
        long thread = s.get(CollectorCounters.COLLECTOR_CPU_TIME);
        long spent = bpf + thread;
        double share = running.toNanos() > 0 ? 100.0 * spent / running.toNanos() : 0;
        return String.format(Locale.ROOT, "BPF %d ms + collector thread %d ms = %.1f%% of one CPU",
                bpf / 1_000_000, thread / 1_000_000, share);
    }

    private synchronized Reply dump(String file) {
        if (session == null) {
            return Reply.error("not recording; start first (kfr start <pid>)");
        }
        Path target = Path.of(file);
        if (!target.isAbsolute()) {
            return Reply.error("dump needs an absolute path, not '" + file + "'");
        }
        String problem = OutputFile.problem(target);
        if (problem != null) {
            return Reply.error(problem.replace("file=", "dump file "));
        }
        StringBuilder done = new StringBuilder();
        for (CollectorKind kind : CollectorKinds.ALL) {
            String did = kind.beforeDump(); // what it does goes into this dump
            if (did != null) {
                done.append(", ").append(did);
            }
        }
        try {
            session.dump(target);
        } catch (IOException | RuntimeException e) {
            return Reply.error("dump failed: " + e.getMessage());
        }
        return Reply.ok("wrote " + target + " (JVM recording + " + session.eventCounts().values().stream()
                .mapToLong(Long::longValue).sum() + " kfr events so far" + done + "); still recording");
    }

    /** A command a collector kind adds (kfr pt-snapshot). */
    private synchronized Reply collectorCommand(ControlCommand c) {
        return c.run(session != null);
    }

    private synchronized Reply stop() {
        if (session == null) {
            return Reply.error("not recording");
        }
        Session s = session;
        session = null;
        sessionOptions = null;
        String failure = s.stop(false);
        if (failure != null) {
            return Reply.error("stopped, but " + failure);
        }
        Path file = s.options().file();
        return Reply.ok("stopped" + (file == null ? "" : "; wrote " + file.toAbsolutePath()));
    }
}
