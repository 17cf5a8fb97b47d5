package io.kfr.agent.export;

import io.kfr.agent.Durations;
import io.kfr.agent.OptionException;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The rotated export's options: {@code export=pprof|otlp|collapsed}, {@code export.dir=<dir>},
 * {@code export.period=<duration 1s..3600s, 60s>}, {@code export.keep=<files 1..100000, 10>},
 * {@code export.service=<name>} (OTLP's service.name; else the main class). Off unless
 * {@code export} is given; the other keys need it.
 */
public final class ExportOptions {
    public static final String USAGE = "export=<pprof|otlp|collapsed>, export.dir=<dir>, export.period=<duration 1s..3600s>, "
            + "export.keep=<files>, export.service=<name>";
    public static final ExportOptions OFF = new ExportOptions(null, null, 0, 0, null);
    private static final long DEFAULT_PERIOD = 60_000_000_000L;
    private static final long MIN_PERIOD = 1_000_000_000L;
    private static final long MAX_PERIOD = 3_600_000_000_000L;
    private static final int DEFAULT_KEEP = 10;
    private static final int MAX_KEEP = 100_000;

    /** pprof, otlp or collapsed; null when off. */
    public final String format;
    public final Path dir;
    public final long periodNanos;
    public final int keep;
    /** null: the main class. */
    public final String service;

    private ExportOptions(String format, Path dir, long periodNanos, int keep, String service) {
        this.format = format;
        this.dir = dir;
        this.periodNanos = periodNanos;
        this.keep = keep;
        this.service = service;
    }

    public boolean on() {
        return format != null;
    }

    /** Whether {@code key} is one of the export options (the agent's parser hands those here). */
    public static boolean isExportKey(String key) {
        return key.equals("export") || key.startsWith("export.");
    }

    /** From the export keys of the agent's options (key to value; value null where none was given). */
    public static ExportOptions of(Map<String, String> options) throws OptionException {
        if (options.isEmpty()) {
            return OFF;
        }
        for (String key : options.keySet()) {
            if (!key.equals("export") && !key.equals("export.dir") && !key.equals("export.period")
                    && !key.equals("export.keep") && !key.equals("export.service")) {
                throw new OptionException("unknown option '" + key + "'; the export options are " + USAGE);
            }
        }
        String format = options.get("export");
        if (format == null) {
            throw new OptionException("export.* options need export=<pprof|otlp|collapsed>");
        }
        if (!format.equals("pprof") && !format.equals("otlp") && !format.equals("collapsed")) {
            throw new OptionException("unknown format '" + format + "' for export; known: pprof, otlp, collapsed");
        }
        String dirText = required(options, "export.dir");
        Path dir;
        try {
            dir = Path.of(dirText).toAbsolutePath();
        } catch (InvalidPathException e) {
            throw new OptionException("cannot use export.dir=" + dirText + ": " + e.getReason());
        }
        long period = DEFAULT_PERIOD;
        if (options.containsKey("export.period")) {
            String text = required(options, "export.period");
            period = Durations.parseNanos("export.period", text);
            if (period < MIN_PERIOD || period > MAX_PERIOD) {
                throw new OptionException("value '" + text + "' for export.period is out of range "
                        + Durations.format(MIN_PERIOD) + ".." + Durations.format(MAX_PERIOD));
            }
        }
        int keep = DEFAULT_KEEP;
        if (options.containsKey("export.keep")) {
            String text = required(options, "export.keep");
            try {
                keep = Integer.parseInt(text);
            } catch (NumberFormatException e) {
                keep = -1;
            }
            if (keep < 1 || keep > MAX_KEEP) {
                throw new OptionException("value '" + text + "' for export.keep is not a number of files 1.." + MAX_KEEP);
            }
        }
        String service = options.containsKey("export.service") ? required(options, "export.service") : null;
        return new ExportOptions(format, dir, period, keep, service);
    }

    private static String required(Map<String, String> options, String key) throws OptionException {
        String value = options.get(key);
        if (value == null || value.isEmpty()) {
            throw new OptionException("option " + key + " needs a value (" + key + "=...)");
        }
        return value;
    }

    /** The formats export writes, and the file name ending of each. */
    public static String extension(String format) {
        switch (format) {
            case "pprof":
                return ".pb.gz";
            case "otlp":
                return ".otlp";
            case "collapsed":
                return ".folded";
            default:
                throw new IllegalArgumentException("unknown format " + format);
        }
    }
}
