package io.kfr.agent;

import io.kfr.jfr.KfrChunk;
import io.kfr.jfr.SpoolRetention;


/**
 * The continuous-recording options, as JFR names them: {@code maxsize=<size>} (kfr's spool on disk,
 * e.g. 256m, 1g) and {@code maxage=<duration>} (e.g. 30m, 1h, 2d). Defaults: 256 MB and 1 h
 * ({@link SpoolRetention#DEFAULT}); they bound the JVM recording kfr starts as well.
 */
final class RetentionOptions {
    static final String USAGE = "maxsize=<size, e.g. 256m, 1m..4g>, maxage=<duration, e.g. 1h, 1s..30d>";
    private static final long MIN_BYTES = 1L << 20;
    private static final long MIN_AGE = 1_000_000_000L;
    private static final long MAX_AGE = 30L * 24 * 3600 * 1_000_000_000L;

    private RetentionOptions() {
    }

    static boolean handles(String key) {
        return key.equals("maxsize") || key.equals("maxage");
    }

    static SpoolRetention apply(SpoolRetention r, String key, String value) throws OptionException {
        if (value == null || value.isEmpty()) {
            throw new OptionException("option " + key + " needs a value; " + USAGE);
        }
        if (key.equals("maxsize")) {
            long bytes = OptionValues.bytes(key, value, "256m, 1g");
            if (bytes < MIN_BYTES || bytes > KfrChunk.MAX_SPOOL_BYTES) {
                throw new OptionException("value '" + value + "' for maxsize is out of range 1m..4g");
            }
            return r.withMaxBytes(bytes);
        }
        long nanos = age(key, value);
        if (nanos < MIN_AGE || nanos > MAX_AGE) {
            throw new OptionException("value '" + value + "' for maxage is out of range 1s..30d");
        }
        return r.withMaxAgeNanos(nanos);
    }

    /** Durations as elsewhere (500ms, 30s), plus m, h, d as JFR's maxage takes them. */
    private static long age(String key, String value) throws OptionException {
        String v = value.trim().toLowerCase(java.util.Locale.ROOT);
        long unit = 0;
        if (v.endsWith("m") && !v.endsWith("ms")) {
            unit = 60_000_000_000L;
        } else if (v.endsWith("h")) {
            unit = 3_600_000_000_000L;
        } else if (v.endsWith("d")) {
            unit = 24 * 3_600_000_000_000L;
        }
        if (unit == 0) {
            return Durations.parseNanos(key, value);
        }
        try {
            double n = Double.parseDouble(v.substring(0, v.length() - 1));
            if (Double.isNaN(n) || n < 0 || n * unit > Long.MAX_VALUE) {
                throw new NumberFormatException();
            }
            return Math.round(n * unit);
        } catch (NumberFormatException e) {
            throw new OptionException("bad value '" + value + "' for " + key + ": expected a duration, e.g. 30m, 1h, 2d");
        }
    }
}
