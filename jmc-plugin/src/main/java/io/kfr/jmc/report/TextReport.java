package io.kfr.jmc.report;

import java.io.PrintStream;
import java.time.Duration;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The report as text: kfr's findings, JMC's JDK rules above OK by score (the rest counted in one
 * line), then the recording's facts.
 */
final class TextReport {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS")
            .withZone(ZoneId.systemDefault());

    private TextReport() {
    }

    static void print(Report r, PrintStream out) {
        out.println("kfr report of " + r.recording.file);
        out.println();
        out.println("== kfr findings ==");
        if (!r.recording.hasKfrEvents()) {
            out.println("no kfr events in this recording");
        }
        if (r.kfrFindings.isEmpty()) {
            out.println("(no kfr rules are registered)");
        }
        r.kfrFindings.forEach(f -> finding(f, out));
        out.println();
        out.println("== JMC JDK rules (" + r.jdkFindings.size() + " rules) ==");
        r.jdkAboveOk().forEach(f -> finding(f, out));
        out.println("not shown: " + r.jdkRestCounted());
        out.println();
        out.println("== recording ==");
        out.println(span(r.recording));
        out.println(kfrEvents(r.recording));
    }

    static void finding(Finding f, PrintStream out) {
        out.println("[" + f.severityName() + (f.score() != null ? " " + score(f.score()) : "") + "] " + f.ruleName()
                + " (" + f.ruleId() + ")");
        if (f.error() != null) {
            indent("error: " + f.error(), out);
            return;
        }
        indent(f.summary(), out);
        if (!f.explanation().isEmpty()) {
            indent(f.explanation(), out);
        }
        if (!f.solution().isEmpty()) {
            indent("solution: " + f.solution(), out);
        }
    }

    static String score(double s) {
        return String.format(Locale.ROOT, "%.1f", s);
    }

    static String span(Recording rec) {
        if (rec.start == null || rec.end == null) {
            return "recording span: unknown (no events)";
        }
        Duration d = Duration.between(rec.start, rec.end);
        return String.format(Locale.ROOT, "recording span: %s to %s (%.1f s)", TIME.format(rec.start),
                TIME.format(rec.end), d.toNanos() / 1e9);
    }

    static String kfrEvents(Recording rec) {
        if (!rec.hasKfrEvents()) {
            return "kfr events: none";
        }
        return "kfr events: " + rec.kfrEvents.entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                .collect(Collectors.joining(", "));
    }

    private static void indent(String text, PrintStream out) {
        text.lines().forEach(l -> out.println("    " + l));
    }
}
