package io.kfr.agent;

import io.kfr.collectors.offcpu.OffCpuConfig;

import java.nio.file.Path;

/**
 * The agent's options: a comma-separated list such as {@code offcpu,file=app.jfr,offcpu.threshold=2ms}.
 * Only the agent knows this syntax; collectors get typed configs.
 */
public record AgentOptions(boolean offCpu, Path file, OffCpuConfig offCpuConfig, boolean quiet) {
    static final String USAGE = "known options: offcpu, file=<path.jfr>, offcpu.threshold=<duration, 1us..10s>, "
            + "offcpu.period=<duration, 100ms..60s>, offcpu.java=<on|off>, quiet";
    private static final long MIN_THRESHOLD = 1_000L;
    private static final long MAX_THRESHOLD = 10_000_000_000L;
    private static final long MIN_PERIOD = 100_000_000L;
    private static final long MAX_PERIOD = 60_000_000_000L;

    public static AgentOptions parse(String args) throws OptionException {
        boolean offCpu = false;
        boolean quiet = false;
        Path file = null;
        OffCpuConfig config = OffCpuConfig.defaults();
        if (args != null && !args.isBlank()) {
            for (String item : args.split(",")) {
                String part = item.trim();
                if (part.isEmpty()) {
                    continue;
                }
                int eq = part.indexOf('=');
                String key = eq < 0 ? part : part.substring(0, eq).trim();
                String value = eq < 0 ? null : part.substring(eq + 1).trim();
                switch (key) {
                    case "offcpu" -> {
                        noValue(key, value);
                        offCpu = true;
                    }
                    case "quiet" -> {
                        noValue(key, value);
                        quiet = true;
                    }
                    case "file" -> file = Path.of(required(key, value));
                    case "offcpu.threshold" -> config = config.withThresholdNanos(
                            inRange(key, value, Durations.parseNanos(key, required(key, value)), MIN_THRESHOLD, MAX_THRESHOLD));
                    case "offcpu.period" -> config = config.withDrainPeriodMillis(
                            inRange(key, value, Durations.parseNanos(key, required(key, value)), MIN_PERIOD, MAX_PERIOD) / 1_000_000L);
                    case "offcpu.java" -> config = config.withJavaFrames(onOff(key, required(key, value)));
                    default -> throw new OptionException("unknown option '" + key + "'; " + USAGE);
                }
            }
        }
        if (!offCpu) {
            offCpu = true; // the only collector so far, and the point of kfr: on unless said otherwise later
        }
        return new AgentOptions(offCpu, file, config, quiet);
    }

    private static String required(String key, String value) throws OptionException {
        if (value == null || value.isEmpty()) {
            throw new OptionException("option " + key + " needs a value (" + key + "=...); " + USAGE);
        }
        return value;
    }

    private static boolean onOff(String key, String value) throws OptionException {
        return switch (value) {
            case "on", "true" -> true;
            case "off", "false" -> false;
            default -> throw new OptionException("option " + key + " is on or off, not '" + value + "'");
        };
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
