package io.kfr.jmc.report;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The report as one self-contained page: findings, then the off-CPU and CPU flame graphs, with
 * the style, the script and the data inline (nothing is fetched; it opens from disk). The page's
 * Content-Security-Policy allows only its own style and script (by hash) and no network, so even
 * text that slipped through escaping could not run.
 */
final class HtmlReport {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([a-zA-Z]+)\\}");

    private HtmlReport() {
    }

    static void write(Report r, Path out) throws IOException {
        Files.writeString(out, render(r, r.flameGraphs()), StandardCharsets.UTF_8);
    }

    static String render(Report r, List<FlameGraph> graphs) throws IOException {
        String css = resource("report.css");
        String js = resource("flamegraph.js");
        String page = resource("report.html");
        StringBuilder findings = new StringBuilder();
        findings.append("<section id=\"kfr-findings\"><h2>kfr findings</h2>\n");
        if (!r.recording.hasKfrEvents()) {
            findings.append("<p class=\"empty\" id=\"no-kfr-events\">no kfr events in this recording</p>\n");
        }
        if (r.kfrFindings.isEmpty()) {
            findings.append("<p class=\"empty\">no kfr rules are registered</p>\n");
        }
        r.kfrFindings.forEach(f -> finding(f, findings));
        findings.append("</section>\n<section id=\"jdk-rules\"><h2>JMC JDK rules</h2>\n");
        r.jdkAboveOk().forEach(f -> finding(f, findings));
        findings.append("<p class=\"rest\">").append(r.jdkFindings.size()).append(" rules; not shown: ")
                .append(Escape.html(r.jdkRestCounted())).append("</p>\n</section>\n");
        findings.append(HotPathsSection.html(r.recording.items));
        StringBuilder flames = new StringBuilder();
        graphs.forEach(g -> graph(g, flames));
        Map<String, String> values = Map.of(
                "csp", "default-src 'none'; style-src '" + sha256(css) + "'; script-src '" + sha256(js)
                        + "'; img-src data:; base-uri 'none'; form-action 'none'",
                "title", Escape.html("kfr report: " + r.recording.file.getFileName()),
                "file", Escape.html(r.recording.file.toString()),
                "span", Escape.html(TextReport.span(r.recording)),
                "kfrEvents", Escape.html(TextReport.kfrEvents(r.recording)),
                "style", css,
                "script", js,
                "findings", findings.toString(),
                "flamegraphs", flames.toString());
        return fill(page, values);
    }

    /** Replaces each ${name} of the template in one pass, so inserted text is never read as a placeholder. */
    static String fill(String template, Map<String, String> values) {
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder b = new StringBuilder(template.length() * 2);
        while (m.find()) {
            String v = values.get(m.group(1));
            if (v == null) {
                throw new IllegalStateException("no value for ${" + m.group(1) + "}");
            }
            m.appendReplacement(b, Matcher.quoteReplacement(v));
        }
        m.appendTail(b);
        return b.toString();
    }

    private static void finding(Finding f, StringBuilder b) {
        String sev = f.severity() == null ? "error" : f.severity().name().toLowerCase(Locale.ROOT);
        b.append("<div class=\"finding sev-").append(sev).append("\" data-rule-id=\"").append(Escape.html(f.ruleId()))
                .append("\">\n<h3><span class=\"severity\">").append(Escape.html(f.severityName()));
        if (f.score() != null) {
            b.append(' ').append(TextReport.score(f.score()));
        }
        b.append("</span> <span class=\"rule-name\">").append(Escape.html(f.ruleName()))
                .append("</span> <span class=\"rule-id\">").append(Escape.html(f.ruleId())).append("</span></h3>\n");
        if (f.error() != null) {
            paragraph("error", "error: " + f.error(), b);
        } else {
            paragraph("summary", f.summary(), b);
            paragraph("explanation", f.explanation(), b);
            paragraph("solution", f.solution().isEmpty() ? "" : "Solution: " + f.solution(), b);
        }
        b.append("</div>\n");
    }

    private static void paragraph(String cls, String text, StringBuilder b) {
        if (!text.isEmpty()) {
            b.append("<p class=\"").append(cls).append("\">").append(Escape.html(text)).append("</p>\n");
        }
    }

    private static void graph(FlameGraph g, StringBuilder b) {
        String id = g.id();
        b.append("<section class=\"graph\" id=\"").append(id).append("\">\n<h2>").append(Escape.html(g.title()))
                .append("</h2>\n<p class=\"meta\">");
        if (g.isEmpty()) {
            b.append("no ").append(Escape.html(g.eventType())).append(" events in this recording");
        } else {
            b.append(g.events()).append(" events. Frames under ")
                    .append(String.format(Locale.ROOT, "%.1f%%", g.minShare() * 100))
                    .append(" of the total are merged into &quot;other&quot; (at most ").append(Cap.MAX_NODES)
                    .append(" frames per graph). Click a frame to zoom, the root or &quot;Reset zoom&quot; to zoom out.");
        }
        if (g.grouped() && !g.isEmpty()) {
            b.append(" At first only the waits that hold up work are drawn (as the off-CPU rule tells them: the"
                    + " disk, locks, the CPU queue, the JVM, the network), ")
                    .append(g.id().equals("waker") ? "under the thread (or interrupt, or timer) that ended them"
                            : "merged across threads")
                    .append("; idle waits and waits for other threads are hidden until shown.");
        }
        b.append("</p>\n<div class=\"controls\"><button type=\"button\" class=\"reset\">Reset zoom</button>"
                + " <label><input type=\"checkbox\" class=\"by-thread\"" + (g.id().equals("waker") ? " checked" : "")
                + "> split by thread</label>");
        if (g.grouped()) {
            b.append(" <label><input type=\"checkbox\" class=\"show-idle\"> show idle waits</label>"
                    + " <span class=\"hidden-info\"></span>");
        }
        b.append("<br><span class=\"info\"></span></div>\n<div class=\"flame\" id=\"").append(id)
                .append("-graph\" data-source=\"").append(id).append("-data\"></div>\n")
                .append("<script type=\"application/json\" id=\"").append(id).append("-data\">")
                .append(FlameJson.of(g)).append("</script>\n</section>\n");
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = HtmlReport.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("kfr report resource missing: " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String sha256(String text) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return "sha256-" + Base64.getEncoder().encodeToString(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
