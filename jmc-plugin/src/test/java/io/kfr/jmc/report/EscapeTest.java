package io.kfr.jmc.report;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class EscapeTest {
    @Test
    void htmlEscapesMarkupAndQuotes() {
        assertEquals("&lt;img src=x onerror=&quot;a()&quot;&gt; &amp; &#39;q&#39;",
                Escape.html("<img src=x onerror=\"a()\"> & 'q'"));
    }

    @Test
    void jsonCannotEndTheScriptElementOrBreakTheString() {
        String s = Escape.json("</script><!-- \"x\" \\ \n \u2028 \ud800");
        assertFalse(s.contains("<") || s.contains(">") || s.contains("\n") || s.contains("\u2028"), s);
        assertEquals("\"\\u003c/script\\u003e\\u003c!-- \\\"x\\\" \\\\ \\n \\u2028 \\ud800\"", s);
    }

    @Test
    void templateIsFilledInOnePass() {
        // a value that looks like a placeholder stays as it is
        assertEquals("<p>${b}</p><i>x</i>", HtmlReport.fill("<p>${a}</p><i>${b}</i>", Map.of("a", "${b}", "b", "x")));
    }
}
