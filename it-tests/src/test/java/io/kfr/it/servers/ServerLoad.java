package io.kfr.it.servers;

import java.util.List;

/**
 * A real server started from Maven Central artifacts and loaded by its own tools, once per
 * configuration of the cost benchmark.
 */
interface ServerLoad {
    String name();

    /** Fetches and prepares what the server needs, once per benchmark. */
    void setUp() throws Exception;

    /**
     * Starts the server with the given JVM options (agent or JFR), warms it up, measures one load
     * and stops the server the way its operator would, so that JFR and kfr write their files.
     */
    Round run(List<String> jvmOptions) throws Exception;

    /**
     * One measured load: throughput in the server's unit (requests/s, records/s), the server's CPU
     * seconds per 1000 units, the p99 latency in ms where the load tool reports one (NaN otherwise).
     */
    record Round(double throughput, double cpuPerThousand, double p99Millis) {
    }

    /** Unit of throughput, for the report. */
    String unit();
}
