package io.kfr.collectors;

/** A started collector, as its owner sees it: stop it and ask how it ended. */
public interface RunningCollector extends AutoCloseable {
    /** Asks the collector's thread to finish without waiting for it: several collectors' last polls can overlap. */
    void requestStop();

    /**
     * Stops collecting: detaches, delivers everything still buffered in the kernel and the final
     * statistics, releases everything. Waits up to 5 s for the collector thread.
     */
    @Override
    void close();

    /** The error that stopped the collector thread early, or null. */
    Throwable failure();
}
