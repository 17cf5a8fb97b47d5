package io.kfr.jmc.report;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ResultTextTest {
    @Test
    void jmcMarkupBecomesText() {
        assertEquals("First {count} waits.\nSecond line with a link and 'quotes' & <b>\n- one\n- two",
                ResultText.markupToText("<p>First {count} waits.</p><p>Second line with <a href=\"x\">a link</a>"
                        + " and ''quotes'' &amp; &lt;b&gt;</p><ul><li>one</li><li>two</li></ul>"));
    }
}
