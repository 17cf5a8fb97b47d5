package io.kfr.agent;

import io.kfr.agent.export.ExportOptions;
import io.kfr.collectors.cpu.CpuConfig;
import io.kfr.jfr.SpoolRetention;
import io.kfr.collectors.offcpu.OffCpuConfig;
import io.kfr.collectors.pt.PtPerfConfig;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The agent's options: a comma-separated list such as {@code offcpu,file=app.jfr,offcpu.threshold=2ms}.
 * Only the agent knows this syntax; collectors get typed configs. Without a collector named, the
 * off-CPU collector runs. {@code executionSamples}: null = decide from the JVM recording (write
 * jdk.ExecutionSample unless the user's own recording samples).
 */
public final class AgentOptions {
    private final boolean offCpu;
    private final Path file;
    private final OffCpuConfig offCpuConfig;
    private final boolean quiet;
    private final boolean cpu;
    private final CpuConfig cpuConfig;
    private final Boolean executionSamples;
    private final Path workingSet;
    private final long workingSetWindowNanos;
    private final ExportOptions export;
    private final SpoolRetention retention;
    private final PtPerfConfig pt;

    public AgentOptions(boolean offCpu, Path file, OffCpuConfig offCpuConfig, boolean quiet, boolean cpu,
            CpuConfig cpuConfig, Boolean executionSamples, Path workingSet, long workingSetWindowNanos,
            ExportOptions export, SpoolRetention retention) {
        this(offCpu, file, offCpuConfig, quiet, cpu, cpuConfig, executionSamples, workingSet, workingSetWindowNanos,
                export, retention, null);
    }

    public AgentOptions(boolean offCpu, Path file, OffCpuConfig offCpuConfig, boolean quiet, boolean cpu,
            CpuConfig cpuConfig, Boolean executionSamples, Path workingSet, long workingSetWindowNanos,
            ExportOptions export, SpoolRetention retention, PtPerfConfig pt) {
        this.offCpu = offCpu;
        this.file = file;
        this.offCpuConfig = offCpuConfig;
        this.quiet = quiet;
        this.cpu = cpu;
        this.cpuConfig = cpuConfig;
        this.executionSamples = executionSamples;
        this.workingSet = workingSet;
        this.workingSetWindowNanos = workingSetWindowNanos;
        this.export = export;
        this.retention = retention;
        this.pt = pt;
    }

    /** The Intel PT collector's settings, or null when {@code pt} is not asked for. */
    public PtPerfConfig pt() {
        return pt;
    }

    public boolean offCpu() {
        return offCpu;
    }

    public Path file() {
        return file;
    }

    public OffCpuConfig offCpuConfig() {
        return offCpuConfig;
    }

    public boolean quiet() {
        return quiet;
    }

    public boolean cpu() {
        return cpu;
    }

    public CpuConfig cpuConfig() {
        return cpuConfig;
    }

    public Boolean executionSamples() {
        return executionSamples;
    }

    public Path workingSet() {
        return workingSet;
    }

    public long workingSetWindowNanos() {
        return workingSetWindowNanos;
    }

    public ExportOptions export() {
        return export;
    }

    /** maxsize, maxage: the window of kfr's spool (continuous recording). */
    public SpoolRetention retention() {
        return retention;
    }

    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof AgentOptions)) {
            return false;
        }
        AgentOptions o = (AgentOptions) other;
        return offCpu == o.offCpu && Objects.equals(file, o.file) && Objects.equals(offCpuConfig, o.offCpuConfig)
                && quiet == o.quiet && cpu == o.cpu && Objects.equals(cpuConfig, o.cpuConfig)
                && Objects.equals(executionSamples, o.executionSamples) && Objects.equals(workingSet, o.workingSet)
                && workingSetWindowNanos == o.workingSetWindowNanos && Objects.equals(export, o.export)
                && Objects.equals(retention, o.retention) && Objects.equals(pt, o.pt);
    }

    @Override
    public int hashCode() {
        int h = 0;
        h = 31 * h + Boolean.hashCode(offCpu);
        h = 31 * h + Objects.hashCode(file);
        h = 31 * h + Objects.hashCode(offCpuConfig);
        h = 31 * h + Boolean.hashCode(quiet);
        h = 31 * h + Boolean.hashCode(cpu);
        h = 31 * h + Objects.hashCode(cpuConfig);
        h = 31 * h + Objects.hashCode(executionSamples);
        h = 31 * h + Objects.hashCode(workingSet);
        h = 31 * h + Long.hashCode(workingSetWindowNanos);
        h = 31 * h + Objects.hashCode(export);
        h = 31 * h + Objects.hashCode(retention);
        h = 31 * h + Objects.hashCode(pt);
        return h;
    }

    @Override
    public String toString() {
        return "AgentOptions[offCpu=" + offCpu + ", file=" + file + ", offCpuConfig=" + offCpuConfig
                + ", quiet=" + quiet + ", cpu=" + cpu + ", cpuConfig=" + cpuConfig
                + ", executionSamples=" + executionSamples + ", workingSet=" + workingSet
                + ", workingSetWindowNanos=" + workingSetWindowNanos + ", export=" + export + ", retention=" + retention + ", pt=" + pt + "]";
    }

    static final String USAGE = "known options: offcpu, cpu, file=<path.jfr>, offcpu.threshold=<duration, 1us..10s>, "
            + "offcpu.period=<duration, 100ms..60s>, offcpu.java=<on|off>, cpu.interval=<duration 1ms..1s, or an event"
            + " count>, cpu.event=<auto|cycles|cpu-clock>, cpu.executionsample=<on|off>, cpu.java=<on|off>, workingset=<file.ws>,"
            + " workingset.window=<duration 1s..10m>, " + ExportOptions.USAGE + ", " + RetentionOptions.USAGE + ", " + PtOptions.USAGE + ", quiet";
    private static final long DEFAULT_WINDOW = 30_000_000_000L;
    private static final long MIN_WINDOW = 1_000_000_000L;
    private static final long MAX_WINDOW = 600_000_000_000L;
    private static final long MIN_INTERVAL = 1_000_000L;
    private static final long MAX_INTERVAL = 1_000_000_000L;
    private static final long MIN_EVENTS = 10_000L;
    private static final long MIN_THRESHOLD = 1_000L;
    private static final long MAX_THRESHOLD = 10_000_000_000L;
    private static final long MIN_PERIOD = 100_000_000L;
    private static final long MAX_PERIOD = 60_000_000_000L;

    public static AgentOptions parse(String args) throws OptionException {
        boolean offCpu = false;
        boolean cpu = false;
        boolean quiet = false;
        Boolean executionSamples = null;
        Path file = null;
        OffCpuConfig config = OffCpuConfig.defaults();
        CpuConfig cpuConfig = CpuConfig.defaults();
        Path workingSet = null;
        long window = DEFAULT_WINDOW;
        io.kfr.jfr.SpoolRetention retention = io.kfr.jfr.SpoolRetention.DEFAULT;
        args = expandFile(args);
        java.util.Map<String, String> export = new java.util.HashMap<>();
        boolean pt = false;
        PtPerfConfig ptConfig = PtPerfConfig.defaults();
        boolean ptOptions = false;
        if (args != null && !args.isBlank()) {
            java.util.Map<String, String> seen = new java.util.HashMap<>();
            for (String item : args.split(",")) {
                String part = item.trim();
                if (part.isEmpty()) {
                    continue;
                }
                int eq = part.indexOf('=');
                String key = eq < 0 ? part : part.substring(0, eq).trim();
                String value = eq < 0 ? null : part.substring(eq + 1).trim();
                String before = seen.put(key, part);
                if (before != null) { // which one should win is a guess: say so instead
                    throw new OptionException("option " + key + " is given twice ('" + before + "' and '" + part
                            + "'); give it once");
                }
                if (ExportOptions.isExportKey(key)) {
                    export.put(key, value);
                    continue;
                }
                if (PtOptions.handles(key)) {
                    ptConfig = PtOptions.apply(ptConfig, key, value);
                    ptOptions = true;
                    continue;
                }
                if (RetentionOptions.handles(key)) {
                    retention = RetentionOptions.apply(retention, key, value);
                    continue;
                }
                switch (key) {
                    case "offcpu": {
                        noValue(key, value);
                        offCpu = true;
                        break;
                    }
                    case "cpu": {
                        noValue(key, value);
                        cpu = true;
                        break;
                    }
                    case "pt": {
                        noValue(key, value);
                        pt = true;
                        break;
                    }
                    case "cpu.interval":
                        cpuConfig = interval(key, required(key, value), cpuConfig);
                        break;
                    case "cpu.event":
                        cpuConfig = cpuConfig.withEvent(event(key, required(key, value)));
                        break;
                    case "cpu.executionsample":
                        executionSamples = onOff(key, required(key, value));
                        break;
                    case "cpu.java":
                        cpuConfig = cpuConfig.withJavaFrames(onOff(key, required(key, value)));
                        break;
                    case "quiet": {
                        noValue(key, value);
                        quiet = true;
                        break;
                    }
                    case "file":
                        file = path(key, required(key, value));
                        break;
                    case "workingset":
                        workingSet = path(key, required(key, value));
                        break;
                    case "workingset.window":
                        window = inRange(key, value, Durations.parseNanos(key, required(key, value)),
                            MIN_WINDOW, MAX_WINDOW);
                        break;
                    case "offcpu.threshold":
                        config = config.withThresholdNanos(
                            inRange(key, value, Durations.parseNanos(key, required(key, value)), MIN_THRESHOLD, MAX_THRESHOLD));
                        break;
                    case "offcpu.period":
                        config = config.withDrainPeriodMillis(
                            inRange(key, value, Durations.parseNanos(key, required(key, value)), MIN_PERIOD, MAX_PERIOD) / 1_000_000L);
                        break;
                    case "offcpu.java":
                        config = config.withJavaFrames(onOff(key, required(key, value)));
                        break;
                    default:
                        throw new OptionException("unknown option '" + key + "'; " + USAGE);
                }
            }
        }
        if (ptOptions && !pt) {
            throw new OptionException("pt.* options set without pt; add pt to the options");
        }
        if (!offCpu && !cpu && workingSet == null && !pt) {
            offCpu = true; // the point of kfr: on unless another collector is named
        }
        if (pt && ptConfig.triggerNanos() > 0 && !offCpu) {
            throw new OptionException("pt.trigger needs the off-CPU collector (it sees the long intervals); add offcpu");
        }
        return new AgentOptions(offCpu, file, config, quiet, cpu, cpuConfig, executionSamples, workingSet, window,
                ExportOptions.of(export), retention, pt ? ptConfig : null);
    }

    /**
     * {@code @<file>}: the options are read from that file (commas or lines, '#' starts a comment).
     * For jcmd's JVMTI.agent_load, which cuts its argument at the first '=' (so "file=x" never
     * arrives): {@code jcmd <pid> JVMTI.agent_load /path/kfr-agent.jar @/path/kfr.options}.
     */
    static String expandFile(String args) throws OptionException {
        if (args == null || !args.trim().startsWith("@")) {
            return args;
        }
        String name = args.trim().substring(1);
        try {
            StringBuilder b = new StringBuilder();
            for (String line : java.nio.file.Files.readAllLines(path("@", name))) {
                int hash = line.indexOf('#');
                String l = (hash >= 0 ? line.substring(0, hash) : line).trim();
                if (!l.isEmpty()) {
                    b.append(b.length() == 0 ? "" : ",").append(l);
                }
            }
            if (b.toString().trim().startsWith("@")) {
                throw new OptionException("options file " + name + " names another options file; give the options");
            }
            return b.toString();
        } catch (java.io.IOException | RuntimeException e) {
            throw new OptionException("cannot read options file " + name + ": " + e.getMessage());
        }
    }

    /** A path this JVM can encode; under LANG=C a non-ASCII name cannot be (sun.jnu.encoding). */
    private static Path path(String key, String value) throws OptionException {
        try {
            return Path.of(value);
        } catch (java.nio.file.InvalidPathException e) {
            throw new OptionException("cannot use " + (key.equals("@") ? "options file " : key + "=") + value
                    + ": this JVM cannot encode the name in its file-name encoding (" + System.getProperty("sun.jnu.encoding")
                    + ", from the locale); start it with LANG=C.UTF-8 (or another UTF-8 locale) or use an ASCII name");
        }
    }

    /** A duration (CPU time between samples) or a plain number (events between samples). */
    private static CpuConfig interval(String key, String value, CpuConfig c) throws OptionException {
        if (value.chars().allMatch(Character::isDigit)) {
            long count;
            try {
                count = Long.parseLong(value);
            } catch (NumberFormatException e) {
                throw new OptionException("value '" + value + "' for " + key + " is too large");
            }
            if (count < MIN_EVENTS) {
                throw new OptionException("value '" + value + "' for " + key + " is out of range: an event count"
                        + " is at least " + MIN_EVENTS + " (or give a duration, e.g. 10ms)");
            }
            return c.withEventCount(count);
        }
        return c.withInterval(inRange(key, value, Durations.parseNanos(key, value), MIN_INTERVAL, MAX_INTERVAL));
    }

    private static String event(String key, String value) throws OptionException {
        switch (value) {
            case "auto": case "cycles": case "cpu-clock":
                return value;
            default:
                throw new OptionException("unknown event '" + value + "' for " + key
                    + "; known: auto (cycles where the CPU has a PMU, else cpu-clock), cycles, cpu-clock");
        }
    }

    private static String required(String key, String value) throws OptionException {
        if (value == null || value.isEmpty()) {
            throw new OptionException("option " + key + " needs a value (" + key + "=...); " + USAGE);
        }
        return value;
    }

    private static boolean onOff(String key, String value) throws OptionException {
        switch (value) {
            case "on": case "true":
                return true;
            case "off": case "false":
                return false;
            default:
                throw new OptionException("option " + key + " is on or off, not '" + value + "'");
        }
    }

    private static void noValue(String key, String value) throws OptionException {
        if (value != null) {
            throw new OptionException("option " + key + " takes no value; " + USAGE);
        }
    }

    private static long inRange(String key, String text, long nanos, long min, long max) throws OptionException {
        if (nanos < min || nanos > max) {
            throw new OptionException("value '" + text + "' for " + key + " is out of range "
                    + Durations.format(min) + ".." + Durations.format(max));
        }
        return nanos;
    }
}
