package io.kfr.jmc.report;

import io.kfr.jmc.rules.HotPathSnapshots;
import org.openjdk.jmc.common.item.IItemCollection;

import java.util.List;

/**
 * The HTML report's Intel PT section: per snapshot and thread, the hottest paths (kfr.HotPath) with
 * their share of the thread's trace, instructions and conditional branches. Absent without kfr.HotPath.
 */
final class HotPathsSection {
    /** Paths shown per thread's trace. */
    static final int PATHS_SHOWN = 10;

    private HotPathsSection() {
    }

    static String html(IItemCollection items) {
        List<HotPathSnapshots.Trace> traces = HotPathSnapshots.of(items);
        if (traces.isEmpty()) {
            return "";
        }
        StringBuilder b = new StringBuilder("<section id=\"kfr-hot-paths\"><h2>Intel PT hot paths</h2>\n");
        for (HotPathSnapshots.Trace t : traces) {
            b.append("<h3 class=\"pt-trace\" data-snapshot=\"").append(t.snapshot).append("\">snapshot ").append(t.snapshot)
                    .append(" (").append(Escape.html(t.reason)).append("), ").append(Escape.html(t.thread)).append(": ")
                    .append(t.instructions).append(" instructions</h3>\n<table class=\"pt-paths\"><tr><th>path</th>"
                            + "<th>share</th><th>instructions</th><th>branches</th></tr>\n");
            for (HotPathSnapshots.Path p : t.paths.subList(0, Math.min(PATHS_SHOWN, t.paths.size()))) {
                double share = t.instructions == 0 ? 0 : 100.0 * p.instructions / t.instructions;
                b.append("<tr><td class=\"pt-path\">").append(Escape.html(p.text)).append("</td><td>")
                        .append(String.format(java.util.Locale.ROOT, "%.1f%%", share)).append("</td><td>")
                        .append(p.instructions).append("</td><td>").append(p.branches).append("</td></tr>\n");
            }
            b.append("</table>\n");
        }
        return b.append("</section>\n").toString();
    }
}
