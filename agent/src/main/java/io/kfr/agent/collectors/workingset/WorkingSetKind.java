package io.kfr.agent.collectors.workingset;

import io.kfr.agent.AgentOptions;
import io.kfr.agent.Durations;
import io.kfr.agent.Log;
import io.kfr.agent.cli.doctor.Capabilities;
import io.kfr.agent.cli.doctor.Check;
import io.kfr.agent.collectors.CliCommand;
import io.kfr.agent.collectors.ControlCommand;
import io.kfr.agent.collectors.CollectorKind;
import io.kfr.agent.collectors.CollectorForward;
import io.kfr.agent.collectors.CollectorOptions;
import io.kfr.agent.collectors.CollectorOutput;
import io.kfr.collectors.CollectorException;
import io.kfr.collectors.RunningCollector;
import io.kfr.collectors.probe.CollectorTrial;
import io.kfr.collectors.workingset.PageCacheMiss;
import io.kfr.collectors.workingset.PrefetchResult;
import io.kfr.collectors.workingset.RecordedFile;
import io.kfr.collectors.workingset.WorkingSetCollector;
import io.kfr.collectors.workingset.WorkingSetListener;
import io.kfr.collectors.workingset.WorkingSetRecorder;
import io.kfr.events.KfrEventNames;

import java.util.List;

/**
 * The working-set collector ({@code workingset=<file.ws>}): prefetches the set recorded last time,
 * records this start's (kfr.PageCacheMiss while the window lasts, kfr.WorkingSet per file at its
 * end) and saves it for the next start.
 */
public final class WorkingSetKind implements CollectorKind {
    /** The collector of this JVM's session, for {@code kfr workingset save}; null when none runs. */
    private static volatile WorkingSetCollector current;

    private static final String NAME = "workingset";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String title() {
        return "working-set collector";
    }

    @Override
    public String shortTitle() {
        return "working set";
    }

    @Override
    public String usage() {
        return WorkingSetOptions.USAGE;
    }

    @Override
    public CollectorOptions options() {
        return new WorkingSetOptions();
    }

    @Override
    public boolean samplesThreads() {
        return false;
    }

    @Override
    public RunningCollector start(AgentOptions options, CollectorOutput output) throws CollectorException {
        WorkingSetSettings w = (WorkingSetSettings) options.settings(NAME);
        WorkingSetCollector.Started s = WorkingSetCollector.start(w.file, w.windowNanos, output.threads(),
                new Forward(output));
        current = s.collector();
        Log.info("working-set collector running (" + w.file + ", window " + Durations.format(w.windowNanos) + ")");
        return s.running();
    }

    /** Ends the recording window of this JVM's working-set collector now; false when none runs. */
    static boolean saveNow() {
        WorkingSetCollector c = current;
        if (c == null) {
            return false;
        }
        c.save();
        return true;
    }

    @Override
    public CollectorTrial.Outcome trial() {
        try (WorkingSetRecorder r = WorkingSetRecorder.start(0)) {
            return new CollectorTrial.Outcome(true, "filemap tracepoints", "", "");
        } catch (CollectorException e) {
            return new CollectorTrial.Outcome(false, "", "", e.getMessage());
        }
    }

    @Override
    public String lossAdvice() {
        return "a shorter workingset.window loses less";
    }

    @Override
    public List<Check> doctorChecks(Capabilities caps) {
        return WorkingSetChecks.all();
    }

    @Override
    public List<CliCommand> cliCommands() {
        return WorkingSetCommands.cli();
    }

    @Override
    public List<ControlCommand> controlCommands() {
        return List.of(WorkingSetCommands.SAVE);
    }

    private static final class Forward extends CollectorForward implements WorkingSetListener {
        Forward(CollectorOutput output) {
            super(output);
        }

        @Override
        public void onMiss(PageCacheMiss miss) {
            if (!output.admitted()) {
                return; // the session stopped while this collector was starting
            }
            output.chunk().addPageCacheMiss(miss);
            output.counted(KfrEventNames.PAGE_CACHE_MISS);
        }

        @Override
        public void onFile(RecordedFile file, long epochNanos) {
            if (!output.admitted()) {
                return;
            }
            output.chunk().addWorkingSetFile(file, epochNanos);
            output.counted(KfrEventNames.WORKING_SET);
        }

        @Override
        public void onPrefetched(PrefetchResult result) {
            Log.info(result.summary());
            for (String f : result.failures()) {
                Log.error("kfr prefetch: " + f);
            }
        }
    }
}
