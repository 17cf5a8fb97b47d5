package io.kfr.agent.convert;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** --from/--to: instants, or times after the JVM's start; from inclusive, to exclusive. */
class TimeWindowTest {
    private static final long START = 1_765_000_000_000_000_000L;

    @Test
    void relativeBoundsCountFromTheJvmStart() throws Exception {
        TimeWindow w = TimeWindow.of("1.5s", "2m");
        w.resolve(START);
        assertFalse(w.contains(START + 1_499_999_999L));
        assertTrue(w.contains(START + 1_500_000_000L));
        assertTrue(w.contains(START + 119_999_999_999L));
        assertFalse(w.contains(START + 120_000_000_000L));
    }

    @Test
    void instantsAreAbsolute() throws Exception {
        TimeWindow w = TimeWindow.of("1970-01-01T00:00:01Z", null);
        w.resolve(null);
        assertFalse(w.contains(999_999_999L));
        assertTrue(w.contains(1_000_000_000L));
    }

    @Test
    void badValuesAreOneLine() {
        ConvertException e = assertThrows(ConvertException.class, () -> TimeWindow.of("yesterday", null));
        assertEquals("bad value 'yesterday' for --from: expected an instant (2026-12-06T20:01:00Z) or a time after"
                + " the JVM's start (90s, 5m)", e.getMessage());
        assertThrows(ConvertException.class, () -> TimeWindow.of(null, "-5s"));
        assertThrows(ConvertException.class, () -> TimeWindow.of("10s", "5s").resolve(START));
        assertThrows(ConvertException.class, () -> TimeWindow.of("10s", null).resolve(null), "no JVM start known");
    }
}
