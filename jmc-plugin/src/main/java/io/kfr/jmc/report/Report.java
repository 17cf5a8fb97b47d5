package io.kfr.jmc.report;

import org.openjdk.jmc.flightrecorder.rules.Severity;

import java.time.Duration;
import java.util.List;

/**
 * Everything the text and the HTML report show: the rules' findings, kfr's first, and (for the
 * page) the two flame graphs.
 */
final class Report {
    /** One deadline for all rules together. */
    static final Duration RULES_TIMEOUT = Duration.ofSeconds(60);

    final Recording recording;
    final List<Finding> kfrFindings;
    final List<Finding> jdkFindings;

    private Report(Recording recording, List<Finding> all) {
        this.recording = recording;
        this.kfrFindings = all.stream().filter(Finding::isKfr).toList();
        this.jdkFindings = all.stream().filter(f -> !f.isKfr()).toList();
    }

    static Report of(Recording recording) {
        return new Report(recording, RuleEvaluation.run(recording.items, RULES_TIMEOUT));
    }

    List<FlameGraph> flameGraphs() {
        return List.of(StackTrees.offCpu(recording.items), StackTrees.wakers(recording.items), StackTrees.cpu(recording.items));
    }

    List<Finding> jdkAboveOk() {
        return jdkFindings.stream().filter(Finding::isAboveOk).toList();
    }

    /** "12 OK, 40 not applicable": the JDK rules not shown in full. */
    String jdkRestCounted() {
        long ok = jdkFindings.stream().filter(f -> f.severity() == Severity.OK).count();
        long rest = jdkFindings.size() - ok - jdkAboveOk().size();
        return ok + " OK, " + rest + " not applicable or ignored";
    }
}
