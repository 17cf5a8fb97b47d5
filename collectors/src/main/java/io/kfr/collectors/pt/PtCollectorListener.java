package io.kfr.collectors.pt;

import io.kfr.collectors.CollectorListener;

/** Receives the PT collector's decoded snapshots, on the collector's thread. */
public interface PtCollectorListener extends CollectorListener {
    void onSnapshot(PtSnapshotResult result);
}
