package io.kfr.agent.collectors.pt;

import io.kfr.agent.OptionException;
import io.kfr.agent.OptionValues;
import io.kfr.agent.collectors.CollectorOptions;
import io.kfr.agent.collectors.offcpu.OffCpuKind;
import io.kfr.collectors.pt.PtPerfConfig;

/**
 * The Intel PT collector's options: {@code pt}, {@code pt.buffer=<size>} (AUX ring per thread,
 * rounded up to a power of two), {@code pt.filter=java|all}, {@code pt.period=<duration>}
 * (snapshot every thread that often), {@code pt.trigger=<duration>} (snapshot a thread that was off
 * the CPU at least that long; needs the off-CPU collector).
 */
public final class PtOptions implements CollectorOptions {
    public static final String USAGE = "pt, pt.buffer=<size per thread, 64k..256m, default 4m>, pt.filter=<java|all>, "
            + "pt.period=<duration 100ms..1h>, pt.trigger=<duration 10us..10s>";
    private static final long MIN_PERIOD = 100_000_000L;
    private static final long MAX_PERIOD = 3_600_000_000_000L;
    private static final long MIN_TRIGGER = 10_000L;
    private static final long MAX_TRIGGER = 10_000_000_000L;

    private boolean named;
    private boolean keys;
    private PtPerfConfig config = PtPerfConfig.defaults();

    @Override
    public boolean take(String key, String value) throws OptionException {
        if (key.equals("pt")) {
            OptionValues.noValue(key, value);
            named = true;
            return true;
        }
        if (!key.startsWith("pt.")) {
            return false;
        }
        config = apply(config, key, value);
        keys = true;
        return true;
    }

    @Override
    public boolean named() {
        return named;
    }

    @Override
    public PtPerfConfig settings(RunningKinds running) throws OptionException {
        if (keys && !named) {
            throw new OptionException("pt.* options set without pt; add pt to the options");
        }
        if (named && config.triggerNanos() > 0 && !running.runs(OffCpuKind.NAME)) {
            throw new OptionException("pt.trigger needs the off-CPU collector (it sees the long intervals); add offcpu");
        }
        return config;
    }

    private static PtPerfConfig apply(PtPerfConfig c, String key, String value) throws OptionException {
        if (value == null || value.isEmpty()) {
            throw new OptionException("option " + key + " needs a value (" + key + "=...); " + USAGE);
        }
        switch (key) {
            case "pt.buffer": {
                long b = OptionValues.bytes(key, value, "4m, 512k");
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
                return c.withPeriodNanos(OptionValues.duration(key, value, MIN_PERIOD, MAX_PERIOD));
            case "pt.trigger":
                return c.withTriggerNanos(OptionValues.duration(key, value, MIN_TRIGGER, MAX_TRIGGER));
            default: // its own usage: the agent's whole list is long, and this key was meant for pt
                throw new OptionException("unknown option '" + key + "'; " + USAGE);
        }
    }
}
