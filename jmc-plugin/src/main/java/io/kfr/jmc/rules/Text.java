package io.kfr.jmc.rules;

import java.util.Locale;

/**
 * Formatting for the rules' texts. The texts are plain: JMC 9 encodes a result's summary,
 * explanation and solution for HTML itself (RulesHtmlToolkit), so names such as {@code <init>} go
 * in as they are. Lines are separated by newlines; JMC's HTML page joins them into one paragraph,
 * so every line is a sentence of its own.
 */
final class Text {
    private Text() {
    }

    static String safe(String s) {
        return s == null ? "" : s;
    }

    static String percent(double share) {
        double p = 100 * share;
        return String.format(Locale.ROOT, p < 10 && p > 0 ? "%.1f%%" : "%.0f%%", p);
    }

    static String duration(long nanos) {
        if (nanos >= 10_000_000_000L) {
            return String.format(Locale.ROOT, "%.0f s", nanos / 1e9);
        }
        if (nanos >= 1_000_000_000L) {
            return String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
        }
        if (nanos >= 1_000_000L) {
            return String.format(Locale.ROOT, "%.0f ms", nanos / 1e6);
        }
        return String.format(Locale.ROOT, "%.1f us", nanos / 1e3);
    }
}
