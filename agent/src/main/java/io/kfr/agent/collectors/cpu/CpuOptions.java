package io.kfr.agent.collectors.cpu;

import io.kfr.agent.Durations;
import io.kfr.agent.OptionException;
import io.kfr.agent.OptionValues;
import io.kfr.agent.collectors.CollectorOptions;
import io.kfr.collectors.cpu.CpuConfig;

/**
 * {@code cpu}, {@code cpu.interval=<duration or event count>}, {@code cpu.event=auto|cycles|cpu-clock},
 * {@code cpu.executionsample=on|off}, {@code cpu.java=on|off}.
 */
final class CpuOptions implements CollectorOptions {
    static final String USAGE = "cpu, cpu.interval=<duration 1ms..1s, or an event count>, "
            + "cpu.event=<auto|cycles|cpu-clock>, cpu.executionsample=<on|off>, cpu.java=<on|off>";
    private static final long MIN_INTERVAL = 1_000_000L;
    private static final long MAX_INTERVAL = 1_000_000_000L;
    private static final long MIN_EVENTS = 10_000L;

    private boolean named;
    private CpuConfig config = CpuConfig.defaults();
    private Boolean executionSamples;

    @Override
    public boolean take(String key, String value) throws OptionException {
        switch (key) {
            case "cpu":
                OptionValues.noValue(key, value);
                named = true;
                return true;
            case "cpu.interval":
                config = interval(key, OptionValues.required(key, value), config);
                return true;
            case "cpu.event":
                config = config.withEvent(event(key, OptionValues.required(key, value)));
                return true;
            case "cpu.executionsample":
                executionSamples = OptionValues.onOff(key, OptionValues.required(key, value));
                return true;
            case "cpu.java":
                config = config.withJavaFrames(OptionValues.onOff(key, OptionValues.required(key, value)));
                return true;
            default:
                return false;
        }
    }

    @Override
    public boolean named() {
        return named;
    }

    @Override
    public CpuSettings settings(RunningKinds running) {
        return new CpuSettings(config, executionSamples);
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
        return c.withInterval(OptionValues.inRange(key, value, Durations.parseNanos(key, value), MIN_INTERVAL, MAX_INTERVAL));
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
}
