package io.kfr.agent.convert;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The kfr events a profile can be made of, each with the sample type it becomes. Both are weighted
 * in nanoseconds: kfr.OffCpu by its duration (for summed short intervals, the summed time) and
 * kfr.CpuSample by its weight (the CPU time the sample stands for). jdk.ExecutionSample is not
 * offered: kfr writes it as a copy of kfr.CpuSample, so taking both would count CPU time twice.
 */
enum EventKind {
    OFFCPU("offcpu", "kfr.OffCpu", "off_cpu"),
    CPU("cpu", "kfr.CpuSample", "cpu");

    /** The name in {@code --events}. */
    final String option;
    final String eventType;
    /** The sample type in pprof and OTLP (the OTel eBPF profiler's off-CPU type is also "off_cpu"). */
    final String sampleType;

    EventKind(String option, String eventType, String sampleType) {
        this.option = option;
        this.eventType = eventType;
        this.sampleType = sampleType;
    }

    static EventKind ofOption(String name) throws ConvertException {
        for (EventKind k : values()) {
            if (k.option.equals(name)) {
                return k;
            }
        }
        throw new ConvertException("unknown event kind '" + name + "' in --events; known: " + known());
    }

    static EventKind ofEventType(String type) {
        for (EventKind k : values()) {
            if (k.eventType.equals(type)) {
                return k;
            }
        }
        return null;
    }

    static String known() {
        return Arrays.stream(values()).map(k -> k.option).collect(Collectors.joining(","));
    }
}
