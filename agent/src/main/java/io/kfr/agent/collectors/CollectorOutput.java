package io.kfr.agent.collectors;

import io.kfr.agent.export.RotatedExport;
import io.kfr.collectors.CollectorListener;
import io.kfr.collectors.threads.ThreadDirectory;
import io.kfr.jfr.KfrChunk;
import io.kfr.jfr.live.LiveSummaries;

/** Where a collector's output goes in a session: kfr's chunk, the live summaries, the session's counts. */
public interface CollectorOutput {
    KfrChunk chunk();

    ThreadDirectory threads();

    LiveSummaries summaries();

    /** The rotated export (export=), or {@link RotatedExport#OFF}. */
    RotatedExport export();

    /** CPU samples also go in as jdk.ExecutionSample (JMC's Method Profiling). */
    boolean executionSamples();

    /** One more event of {@code type} in kfr's chunk. */
    void counted(String type);

    /** Takes the collector's statistics (into the chunk, the session's latest, the loss watch) and failure. */
    CollectorListener statisticsAndFailure();

    /**
     * True once the session has taken the collector in; false if the session stopped while the
     * collector was still starting (its output is then dropped: the collector is closed at once).
     * Waits for the decision, which follows the collector's start at once.
     */
    boolean admitted();

    /** Whether no collector of the session runs yet (the ones before this one did not start or were not asked for). */
    boolean noneRunning();
}
