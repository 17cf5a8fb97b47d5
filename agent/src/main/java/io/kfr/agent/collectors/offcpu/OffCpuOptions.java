package io.kfr.agent.collectors.offcpu;

import io.kfr.agent.OptionException;
import io.kfr.agent.OptionValues;
import io.kfr.agent.collectors.CollectorOptions;
import io.kfr.collectors.offcpu.OffCpuConfig;

/**
 * {@code offcpu}, {@code offcpu.threshold=<duration>}, {@code offcpu.period=<duration>}, {@code offcpu.java=on|off},
 * {@code offcpu.preempted=1/<N>|exact}.
 */
final class OffCpuOptions implements CollectorOptions {
    static final String USAGE = "offcpu, offcpu.threshold=<duration, 1us..10s>, offcpu.period=<duration, 100ms..60s>, "
            + "offcpu.java=<on|off>, offcpu.preempted=<1/N (N a power of two, 1..1024) or exact>";
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
            case "offcpu.preempted":
                config = config.withPreemptedOneIn(preemptedOneIn(key, OptionValues.required(key, value)));
                return true;
            case "offcpu.java":
                config = config.withJavaFrames(OptionValues.onOff(key, OptionValues.required(key, value)));
                return true;
            default:
                return false;
        }
    }

    /** {@code exact} (every preempted stack) or {@code 1/N}, N a power of two up to 1024. */
    private static int preemptedOneIn(String key, String value) throws OptionException {
        if (value.equals("exact")) {
            return 1;
        }
        if (value.startsWith("1/")) {
            try {
                int n = Integer.parseInt(value.substring(2));
                if (n >= 1 && n <= 1024 && Integer.bitCount(n) == 1) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // the line below says what is accepted
            }
        }
        throw new OptionException("option " + key + " is exact or 1/N, not '" + value + "': N a power of two from 1 to 1024"
                + " (stacks of 1 in N preempted intervals; the default is 1/" + OffCpuConfig.DEFAULT_PREEMPTED_ONE_IN + ")");
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
