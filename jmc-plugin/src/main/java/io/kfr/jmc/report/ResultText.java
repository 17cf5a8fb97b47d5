package io.kfr.jmc.report;

import org.openjdk.jmc.flightrecorder.rules.IResult;
import org.openjdk.jmc.flightrecorder.rules.ResultToolkit;

import java.util.regex.Pattern;

/**
 * A rule result's text as plain text. JMC's messages are templates with light HTML markup
 * ({@code <p>}, {@code <ul><li>}, links) and {placeholders} for the result's values. The markup is
 * turned into text first, on the template only; then JMC's ResultToolkit fills in the values
 * unencoded. So values from the recording (a method {@code <init>}, a thread name) are never taken
 * for markup, and the page escapes everything it shows.
 */
final class ResultText {
    private static final Pattern BREAK = Pattern.compile("(?i)<\\s*(br|/p|p|/li|/ul|ul|/ol|ol|/div|div)\\b[^>]*>");
    private static final Pattern ITEM = Pattern.compile("(?i)<\\s*li\\b[^>]*>");
    private static final Pattern TAG = Pattern.compile("<\\s*/?\\s*[a-zA-Z][^<>]*>");
    private static final Pattern BLANK_LINES = Pattern.compile("\n\\s*\n+");
    private static final Pattern SPACES = Pattern.compile("[ \\t\\x0B\\f\\r]+");

    private ResultText() {
    }

    static String of(IResult result, String template) {
        if (template == null || template.isBlank()) {
            return "";
        }
        String filled = ResultToolkit.populateMessage(result, markupToText(template), false);
        return filled == null ? "" : filled.strip();
    }

    /** JMC's template markup as text; '' (MessageFormat's quote) as one quote. */
    static String markupToText(String html) {
        String s = BREAK.matcher(html).replaceAll("\n");
        s = ITEM.matcher(s).replaceAll("\n- ");
        s = TAG.matcher(s).replaceAll("");
        s = s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'")
                .replace("&nbsp;", " ").replace("&amp;", "&").replace("''", "'");
        s = SPACES.matcher(s).replaceAll(" ");
        s = BLANK_LINES.matcher(s).replaceAll("\n");
        return s.lines().map(String::strip).reduce((a, b) -> a + "\n" + b).orElse("").strip();
    }
}
