package io.kfr.jmc.report;

import io.kfr.jmc.rules.KfrRule;
import org.openjdk.jmc.flightrecorder.rules.Severity;

/**
 * One rule's result as plain text (JMC's placeholders filled in, its markup removed).
 *
 * @param score    JMC's score (0..100), or null when the rule gives none
 * @param severity the result's severity; null when the rule failed or timed out ({@code error} says why)
 */
record Finding(String ruleId, String ruleName, String topic, Severity severity, Double score, String summary,
               String explanation, String solution, String error) {

    /** kfr's own rules: topic "kfr", or an id starting with "Kfr". */
    boolean isKfr() {
        return KfrRule.TOPIC.equalsIgnoreCase(topic) || ruleId.startsWith("Kfr");
    }

    /** Shown in full: a problem or a hint (information, warning), or a rule that could not run. */
    boolean isAboveOk() {
        return severity == null || severity == Severity.INFO || severity == Severity.WARNING;
    }

    String severityName() {
        return severity == null ? "Error" : severity.getLocalizedName();
    }

    /** Sort key: failures first, then by score (a rule without a score counts by its severity's limit). */
    double rank() {
        if (severity == null) {
            return Double.MAX_VALUE;
        }
        return score != null ? score : severity.getLimit();
    }
}
