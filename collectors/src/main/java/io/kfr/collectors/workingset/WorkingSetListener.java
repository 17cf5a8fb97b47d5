package io.kfr.collectors.workingset;

import io.kfr.collectors.CollectorListener;

/** What the working-set collector delivers, on its own thread. */
public interface WorkingSetListener extends CollectorListener {
    void onMiss(PageCacheMiss miss);

    /** Each file of the set, once the window ended and the set was saved. */
    void onFile(RecordedFile file, long epochNanos);

    /** The set was saved to its file (after its files were delivered). */
    default void onSaved(WorkingSet set) {
    }

    /** The prefetch of the set recorded last time finished. */
    default void onPrefetched(PrefetchResult result) {
    }
}
