package io.kfr.agent.collectors.offcpu;

import io.kfr.agent.OptionException;
import io.kfr.agent.OptionValues;
import io.kfr.agent.collectors.CollectorOptions;
import io.kfr.collectors.offcpu.OffCpuConfig;

/** {@code offcpu}, {@code offcpu.threshold=<duration>}, {@code offcpu.period=<duration>}, {@code offcpu.java=on|off}. */
final class OffCpuOptions implements CollectorOptions {
    static final String USAGE = "offcpu, offcpu.threshold=<duration, 1us..10s>, offcpu.period=<duration, 100ms..60s>, "
            + "offcpu.java=<on|off>";
    private static final long MIN_THRESHOLD = 1_000L;
    private static final long MAX_THRESHOLD = 10_000_000_000L;
    private static final long MIN_PERIOD = 100_000_000L;
    private static final long MAX_PERIOD = 60_000_000_000L;

    private boolean named;
    private OffCpuConfig config = OffCpuConfig.defaults();

    @Override
    public boolean take(String key, String value) throws OptionException {
        switch (key) {
            case "offcpu":
                OptionValues.noValue(key, value);
                named = true;
                return true;
            case "offcpu.threshold":
                config = config.withThresholdNanos(
                        OptionValues.duration(key, OptionValues.required(key, value), MIN_THRESHOLD, MAX_THRESHOLD));
                return true;
            case "offcpu.period":
                config = config.withDrainPeriodMillis(
                        OptionValues.duration(key, OptionValues.required(key, value), MIN_PERIOD, MAX_PERIOD) / 1_000_000L);
                return true;
            case "offcpu.java":
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
    public OffCpuConfig settings(RunningKinds running) {
        return config;
    }
}
