package io.kfr.it.servers;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * kfr's own cost in one run, from the kfr.CollectorStatistics it wrote (cumulative, so the last
 * event of each collector holds the run's totals): BPF time per program run and the collector
 * thread's CPU as a share of one CPU over the time the collector ran.
 */
record KfrCost(Map<String, Double> bpfNanosPerRun, Map<String, Double> collectorCpuShare) {

    static KfrCost of(Path file) throws IOException {
        Map<String, RecordedEvent> first = new HashMap<>();
        Map<String, RecordedEvent> last = new HashMap<>();
        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
            if (e.getEventType().getName().equals("kfr.CollectorStatistics")) {
                String collector = e.getString("collector");
                first.putIfAbsent(collector, e);
                last.put(collector, e);
            }
        }
        Map<String, Double> perRun = new TreeMap<>();
        Map<String, Double> cpu = new TreeMap<>();
        last.forEach((collector, e) -> {
            long runs = e.getLong("bpfRunCount");
            perRun.put(collector, runs == 0 ? Double.NaN : e.getDuration("bpfRunTime").toNanos() / (double) runs);
            Instant from = first.get(collector).getStartTime();
            long wallNanos = Duration.between(from, e.getStartTime()).toNanos();
            long cpuNanos = e.getDuration("collectorCpuTime").toNanos() - first.get(collector).getDuration("collectorCpuTime").toNanos();
            cpu.put(collector, wallNanos <= 0 ? Double.NaN : cpuNanos / (double) wallNanos);
        });
        return new KfrCost(perRun, cpu);
    }
}
