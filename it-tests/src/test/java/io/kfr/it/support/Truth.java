package io.kfr.it.support;

import java.util.List;

/**
 * One KFR-TRUTH line of a workload: a scenario thread's off-CPU time inside its measured window
 * (wall - CPU time), and the window in epoch nanoseconds.
 */
public record Truth(String scenario, long tid, long offCpuNanos, long windowStartEpochNanos, long windowEndEpochNanos,
                    long calls, String threadName) {
    public static List<Truth> parse(String stdout) {
        return stdout.lines().filter(l -> l.startsWith("KFR-TRUTH ")).map(l -> {
            String[] p = l.split(" ", 8);
            return new Truth(p[1], Long.parseLong(p[2]), Long.parseLong(p[3]), Long.parseLong(p[4]),
                    Long.parseLong(p[5]), Long.parseLong(p[6]), p[7]);
        }).toList();
    }

    public static Truth of(List<Truth> truths, String scenario) {
        return truths.stream().filter(t -> t.scenario.equals(scenario)).findFirst()
                .orElseThrow(() -> new AssertionError("no KFR-TRUTH line for " + scenario));
    }
}
