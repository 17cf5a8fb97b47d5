package io.kfr.agent.collectors.cpu;

import io.kfr.agent.AgentOptions;
import io.kfr.agent.Durations;
import io.kfr.agent.Log;
import io.kfr.agent.collectors.CollectorKind;
import io.kfr.agent.collectors.CollectorForward;
import io.kfr.agent.collectors.CollectorOptions;
import io.kfr.agent.collectors.CollectorOutput;
import io.kfr.collectors.CollectorException;
import io.kfr.collectors.CpuSample;
import io.kfr.collectors.RunningCollector;
import io.kfr.collectors.cpu.CpuCollector;
import io.kfr.collectors.cpu.CpuConfig;
import io.kfr.collectors.cpu.CpuListener;
import io.kfr.collectors.natives.KfrNative;
import io.kfr.collectors.offcpu.JavaFramesSelfTest;
import io.kfr.collectors.probe.CollectorTrial;

import java.util.function.BooleanSupplier;

/** The CPU sampler: kfr.CpuSample events, also as jdk.ExecutionSample when the session says so. */
public final class CpuKind implements CollectorKind {
    public static final String NAME = "cpu";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String title() {
        return "CPU sampler";
    }

    @Override
    public String shortTitle() {
        return "CPU";
    }

    @Override
    public String usage() {
        return CpuOptions.USAGE;
    }

    @Override
    public CollectorOptions options() {
        return new CpuOptions();
    }

    /** Its settings in the agent's options. */
    public static CpuSettings settings(AgentOptions options) {
        return (CpuSettings) options.settings(NAME);
    }

    /** As asked by cpu.jdk-samples, else unless the user's own JVM recording has the JVM's samples. */
    @Override
    public boolean feedsExecutionSamples(AgentOptions options, BooleanSupplier userRecords) {
        Boolean asked = settings(options).executionSamples();
        return asked != null ? asked : !userRecords.getAsBoolean();
    }

    @Override
    public RunningCollector start(AgentOptions options, CollectorOutput output) throws CollectorException {
        boolean firstCollector = output.noneRunning();
        CpuConfig config = settings(options).config();
        CpuCollector c = CpuCollector.start((int) ProcessHandle.current().pid(), config, output.threads(),
                new Forward(output));
        Log.info("CPU sampler running (" + c.event() + ", every " + (config.eventCount() > 0
                ? config.eventCount() + " events" : Durations.format(config.intervalNanos()))
                + (output.executionSamples() ? ", also as jdk.ExecutionSample" : "") + ")");
        String java = JavaFramesSelfTest.outcome();
        // the off-CPU collector, when it runs, has said it already
        if (firstCollector && config.javaFrames() && java.startsWith("failed: ")) {
            Log.error("Java frames off: " + java.substring(8) + "; CPU samples end at the native frames");
        }
        if (KfrNative.cpuDebugNonSafepoints() == 0) {
            Log.error("-XX:+DebugNonSafepoints could not be set through the JVM's flag table: CPU samples in"
                    + " JIT-compiled code name the method at the next debug point, not the methods inlined there");
        }
        return c;
    }

    @Override
    public CollectorTrial.Outcome trial() {
        return CpuCollector.trial();
    }

    @Override
    public String lossAdvice() {
        return "a longer cpu.interval loses less";
    }

    /** Samples to kfr's chunk (twice: also as jdk.ExecutionSample, when asked). */
    private static final class Forward extends CollectorForward implements CpuListener {
        Forward(CollectorOutput output) {
            super(output);
        }

        @Override
        public void onSample(CpuSample sample) {
            if (!output.admitted()) {
                return; // the session stopped while this collector was starting
            }
            boolean executionSamples = output.executionSamples();
            long event = output.chunk().addCpuSample(sample, executionSamples);
            output.counted("kfr.CpuSample");
            if (executionSamples) {
                output.counted("jdk.ExecutionSample");
            }
            output.export().addCpu(sample, event);
        }
    }
}
