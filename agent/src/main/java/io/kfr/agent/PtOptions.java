package io.kfr.agent;

import io.kfr.collectors.pt.PtPerfConfig;

import java.util.Locale;

/**
 * The Intel PT collector's options: {@code pt}, {@code pt.buffer=<size>} (AUX ring per thread,
 * rounded up to a power of two), {@code pt.filter=java|all}, {@code pt.period=<duration>}
 * (snapshot every thread that often), {@code pt.trigger=<duration>} (snapshot a thread that was off
 * the CPU at least that long; needs the off-CPU collector).
 */
final class PtOptions {
    static final String USAGE = "pt, pt.buffer=<size per thread, 64k..256m, default 4m>, pt.filter=<java|all>, "
            + "pt.period=<duration 100ms..1h>, pt.trigger=<duration 10us..10s>";
    private static final long MIN_PERIOD = 100_000_000L;
    private static final long MAX_PERIOD = 3_600_000_000_000L;
    private static final long MIN_TRIGGER = 10_000L;
    private static final long MAX_TRIGGER = 10_000_000_000L;

    private PtOptions() {
    }

    static boolean handles(String key) {
        return key.startsWith("pt.");
    }

    static PtPerfConfig apply(PtPerfConfig c, String key, String value) throws OptionException {
        if (value == null || value.isEmpty()) {
            throw new OptionException("option " + key + " needs a value (" + key + "=...); " + USAGE);
        }
        switch (key) {
            case "pt.buffer": {
                long b = bytes(key, value);
                if (b < PtPerfConfig.MIN_BUFFER || b > PtPerfConfig.MAX_BUFFER) {
                    throw new OptionException("value '" + value + "' for pt.buffer is out of range 64k..256m");
                }
                return c.withBufferBytes(b);
            }
            case "pt.filter":
                if (value.equals("java") || value.equals("all")) {
                    return c.withJavaOnly(value.equals("java"));
                }
                throw new OptionException("option pt.filter is java (the JIT code heap only) or all, not '" + value + "'");
            case "pt.period":
                return c.withPeriodNanos(inRange(key, value, MIN_PERIOD, MAX_PERIOD));
            case "pt.trigger":
                return c.withTriggerNanos(inRange(key, value, MIN_TRIGGER, MAX_TRIGGER));
            default:
                throw new OptionException("unknown option '" + key + "'; " + USAGE);
        }
    }

    private static long inRange(String key, String value, long min, long max) throws OptionException {
        long n = Durations.parseNanos(key, value);
        if (n < min || n > max) {
            throw new OptionException("value '" + value + "' for " + key + " is out of range " + Durations.format(min)
                    + ".." + Durations.format(max));
        }
        return n;
    }

    /** 65536, 64k, 4m, 4mb, 1g (powers of 1024). */
    static long bytes(String key, String value) throws OptionException {
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (v.endsWith("b") && v.length() > 1 && !Character.isDigit(v.charAt(v.length() - 2))) {
            v = v.substring(0, v.length() - 1);
        }
        long unit = 1;
        char last = v.isEmpty() ? ' ' : v.charAt(v.length() - 1);
        if (last == 'k' || last == 'm' || last == 'g') {
            unit = last == 'k' ? 1L << 10 : last == 'm' ? 1L << 20 : 1L << 30;
            v = v.substring(0, v.length() - 1);
        }
        try {
            long n = Long.parseLong(v);
            if (n < 0 || n > Long.MAX_VALUE / unit) {
                throw new NumberFormatException();
            }
            return n * unit;
        } catch (NumberFormatException e) {
            throw new OptionException("bad value '" + value + "' for " + key + ": expected a size, e.g. 4m, 512k");
        }
    }
}
