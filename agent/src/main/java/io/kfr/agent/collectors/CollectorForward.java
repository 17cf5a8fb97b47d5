package io.kfr.agent.collectors;

import io.kfr.collectors.CollectorListener;
import io.kfr.collectors.CollectorStatistics;

/**
 * The part every kind's listener shares: a collector's statistics and failure go to the session
 * ({@link CollectorOutput#statisticsAndFailure}); each kind adds where its samples go.
 */
public abstract class CollectorForward implements CollectorListener {
    protected final CollectorOutput output;
    private final CollectorListener session;

    protected CollectorForward(CollectorOutput output) {
        this.output = output;
        this.session = output.statisticsAndFailure();
    }

    @Override
    public void onStatistics(CollectorStatistics statistics) {
        session.onStatistics(statistics);
    }

    @Override
    public void onFailure(Throwable failure) {
        session.onFailure(failure);
    }
}
