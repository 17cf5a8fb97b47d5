package io.kfr.agent;

import java.util.Locale;

/** Parses durations written as a number and a unit: 500us, 2ms, 1.5s, 100000ns. */
public final class Durations {
    private Durations() {
    }

    public static long parseNanos(String key, String text) throws OptionException {
        String t = text.trim().toLowerCase(Locale.ROOT);
        long unit;
        String number;
        if (t.endsWith("ns")) {
            unit = 1L;
            number = t.substring(0, t.length() - 2);
        } else if (t.endsWith("us")) {
            unit = 1_000L;
            number = t.substring(0, t.length() - 2);
        } else if (t.endsWith("ms")) {
            unit = 1_000_000L;
            number = t.substring(0, t.length() - 2);
        } else if (t.endsWith("s")) {
            unit = 1_000_000_000L;
            number = t.substring(0, t.length() - 1);
        } else {
            throw bad(key, text);
        }
        try {
            double v = Double.parseDouble(number);
            if (Double.isNaN(v) || Double.isInfinite(v) || v < 0) {
                throw bad(key, text);
            }
            return Math.round(v * unit);
        } catch (NumberFormatException e) {
            throw bad(key, text);
        }
    }

    private static OptionException bad(String key, String text) {
        return new OptionException("bad value '" + text + "' for " + key
                + ": expected a duration with a unit, e.g. 500us, 2ms, 1s");
    }

    public static String format(long nanos) {
        if (nanos % 1_000_000_000L == 0) {
            return nanos / 1_000_000_000L + "s";
        }
        if (nanos % 1_000_000L == 0) {
            return nanos / 1_000_000L + "ms";
        }
        if (nanos % 1_000L == 0) {
            return nanos / 1_000L + "us";
        }
        return nanos + "ns";
    }
}
