package io.kfr.agent.collectors.offcpu;

import io.kfr.agent.AgentOptions;
import io.kfr.agent.Durations;
import io.kfr.agent.Log;
import io.kfr.agent.cli.doctor.Fixes;
import io.kfr.agent.collectors.CollectorKind;
import io.kfr.agent.collectors.CollectorKinds;
import io.kfr.agent.collectors.CollectorForward;
import io.kfr.agent.collectors.CollectorOptions;
import io.kfr.agent.collectors.CollectorOutput;
import io.kfr.collectors.CollectorException;
import io.kfr.collectors.CollectorStatistics;
import io.kfr.collectors.OffCpuSample;
import io.kfr.collectors.RunningCollector;
import io.kfr.collectors.offcpu.OffCpuCollector;
import io.kfr.collectors.offcpu.OffCpuConfig;
import io.kfr.collectors.offcpu.OffCpuListener;
import io.kfr.collectors.probe.CollectorTrial;

/** The off-CPU collector: kfr.OffCpu events and the live kfr.OffCpuSummary. */
public final class OffCpuKind implements CollectorKind {
    public static final String NAME = "offcpu";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String title() {
        return "off-CPU collector";
    }

    @Override
    public String shortTitle() {
        return "off-CPU";
    }

    @Override
    public String usage() {
        return OffCpuOptions.USAGE;
    }

    @Override
    public CollectorOptions options() {
        return new OffCpuOptions();
    }

    @Override
    public boolean onByDefault() {
        return true;
    }

    @Override
    public RunningCollector start(AgentOptions options, CollectorOutput output) throws CollectorException {
        OffCpuConfig config = (OffCpuConfig) options.settings(NAME);
        OffCpuCollector c = OffCpuCollector.start((int) ProcessHandle.current().pid(), config,
                output.threads(), new Forward(output));
        Log.info("off-CPU collector running (" + c.attachMode() + ", threshold "
                + Durations.format(config.thresholdNanos()) + ")");
        String java = c.javaFramesStatus();
        if (!java.isEmpty() && config.javaFrames()) {
            Log.error("Java frames off: " + java + "; off-CPU stacks end at the native frames");
        }
        return c;
    }

    @Override
    public CollectorTrial.Outcome trial() {
        return OffCpuCollector.trial();
    }

    @Override
    public String limitedMode(CollectorTrial.Outcome trial) {
        return "raw_tp".equals(trial.mode()) ? "tp_btf did not load: see bpf.prog.tp_btf" : null;
    }

    @Override
    public String limitedFix() {
        return Fixes.BTF;
    }

    @Override
    public String lossAdvice() {
        // measured (docs/safety.md, "Many threads"): the ring fills when kfr's reader lacks CPU, and a
        // shorter offcpu.period lost more, not less; fewer intervals kept one by one is what helps
        return "a higher offcpu.threshold loses less (fewer intervals kept one by one)";
    }

    /** Samples to kfr's chunk and the live summaries; a period's summaries end with its statistics. */
    private static final class Forward extends CollectorForward implements OffCpuListener {
        Forward(CollectorOutput output) {
            super(output);
        }

        @Override
        public void onSample(OffCpuSample sample) {
            if (!output.admitted()) {
                return; // the session stopped while this collector was starting
            }
            long event = output.chunk().addOffCpu(sample);
            output.counted("kfr.OffCpu");
            output.summaries().add(sample);
            output.export().addOffCpu(sample, event);
            for (CollectorKind kind : CollectorKinds.ALL) { // e.g. pt.trigger: a long interval snapshots a trace
                kind.offCpuInterval(sample);
            }
        }

        @Override
        public void onStatistics(CollectorStatistics statistics) {
            super.onStatistics(statistics);
            output.summaries().commitPeriod();
        }

        @Override
        public void onLastStatistics(CollectorStatistics statistics) {
            super.onStatistics(statistics);
            // at exit JFR's hook waits for this before it writes the recording, not for the
            // collectors' teardown
            output.summaries().finish();
        }
    }
}
