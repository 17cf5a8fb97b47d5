package io.kfr.agent;

import io.kfr.agent.collectors.CollectorKind;
import io.kfr.agent.collectors.CollectorKinds;
import io.kfr.agent.collectors.CollectorOptions;
import io.kfr.agent.export.ExportOptions;
import io.kfr.jfr.SpoolRetention;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The agent's options: a comma-separated list such as {@code offcpu,file=app.jfr,offcpu.threshold=2ms}.
 * Only the agent knows this syntax; collectors get typed configs. The agent-wide options are read
 * here; a key {@code X} or {@code X.*} goes to the collector kind named X ({@link CollectorKind#options}),
 * which keeps its settings. Without a collector named, the one on by default (off-CPU) runs.
 */
public final class AgentOptions {
    private final Path file;
    private final boolean quiet;
    private final ExportOptions export;
    private final SpoolRetention retention;
    /** Every kind's settings, by kind name, also of the kinds that do not run. */
    private final Map<String, Object> settings;
    private final Set<String> running;

    private AgentOptions(Path file, boolean quiet, ExportOptions export, SpoolRetention retention,
            Map<String, Object> settings, Set<String> running) {
        this.file = file;
        this.quiet = quiet;
        this.export = export;
        this.retention = retention;
        this.settings = Collections.unmodifiableMap(settings);
        this.running = Collections.unmodifiableSet(running);
    }

    /** Whether the collector kind of that name runs. */
    public boolean runs(String kind) {
        return running.contains(kind);
    }

    /** The settings the kind of that name parsed from its keys (its defaults when none were given). */
    public Object settings(String kind) {
        return settings.get(kind);
    }

    public Path file() {
        return file;
    }

    public boolean quiet() {
        return quiet;
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
        return Objects.equals(file, o.file) && quiet == o.quiet && Objects.equals(export, o.export)
                && Objects.equals(retention, o.retention) && settings.equals(o.settings) && running.equals(o.running);
    }

    @Override
    public int hashCode() {
        return Objects.hash(file, quiet, export, retention, settings, running);
    }

    @Override
    public String toString() {
        return "AgentOptions[running=" + running + ", file=" + file + ", quiet=" + quiet + ", export=" + export
                + ", retention=" + retention + ", settings=" + settings + "]";
    }

    /** Every option, the collectors' (in {@link CollectorKinds} order) first. */
    public static final String USAGE = usage();

    private static String usage() {
        List<String> parts = new ArrayList<>();
        for (CollectorKind kind : CollectorKinds.ALL) {
            parts.add(kind.usage());
        }
        parts.add("file=<path.jfr>");
        parts.add(ExportOptions.USAGE);
        parts.add(RetentionOptions.USAGE);
        parts.add("quiet");
        return "known options: " + String.join(", ", parts);
    }

    public static AgentOptions parse(String args) throws OptionException {
        boolean quiet = false;
        Path file = null;
        SpoolRetention retention = SpoolRetention.DEFAULT;
        args = expandFile(args);
        Map<String, String> export = new HashMap<>();
        Map<String, CollectorOptions> kinds = new LinkedHashMap<>();
        for (CollectorKind kind : CollectorKinds.ALL) {
            kinds.put(kind.name(), kind.options());
        }
        if (args != null && !args.isBlank()) {
            Map<String, String> seen = new HashMap<>();
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
                if (RetentionOptions.handles(key)) {
                    retention = RetentionOptions.apply(retention, key, value);
                    continue;
                }
                int dot = key.indexOf('.');
                CollectorOptions kind = kinds.get(dot < 0 ? key : key.substring(0, dot));
                if (kind != null) {
                    if (!kind.take(key, value)) {
                        throw unknown(key);
                    }
                    continue;
                }
                switch (key) {
                    case "quiet":
                        OptionValues.noValue(key, value);
                        quiet = true;
                        break;
                    case "file":
                        file = OptionValues.path(key, OptionValues.required(key, value));
                        break;
                    default:
                        throw unknown(key);
                }
            }
        }
        Set<String> running = new LinkedHashSet<>();
        kinds.forEach((name, kind) -> {
            if (kind.named()) {
                running.add(name);
            }
        });
        if (running.isEmpty()) { // the point of kfr: on unless another collector is named
            CollectorKinds.ALL.stream().filter(CollectorKind::onByDefault).forEach(k -> running.add(k.name()));
        }
        Map<String, Object> settings = new LinkedHashMap<>();
        for (Map.Entry<String, CollectorOptions> e : kinds.entrySet()) {
            settings.put(e.getKey(), e.getValue().settings(running::contains));
        }
        return new AgentOptions(file, quiet, ExportOptions.of(export), retention, settings, running);
    }

    private static OptionException unknown(String key) {
        return new OptionException("unknown option '" + key + "'; " + USAGE);
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
            for (String line : java.nio.file.Files.readAllLines(OptionValues.path("@", name))) {
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
}
