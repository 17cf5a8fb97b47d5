package io.kfr.jfr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TimeBaseTest {
    private static final long NOW = 1_790_000_000_123_456_789L;

    @TempDir
    Path dir;

    @Test
    void readsTheFirstChunkHeaderOfAJvmRecording() throws Exception {
        Path file = JvmRecordings.of(17).file();
        ByteBuffer header = ByteBuffer.wrap(Files.readAllBytes(file), 0, 68);
        TimeBase tb = TimeBase.ofFirstChunk(file);
        assertEquals(header.getLong(32), tb.startNanos());
        assertEquals(header.getLong(48), tb.startTicks());
        assertEquals(header.getLong(56), tb.ticksPerSecond());
        assertTrue(Math.abs(tb.startNanos() - System.currentTimeMillis() * 1_000_000L) < 3_600_000_000_000L, "recent start");
    }

    @Test
    void rejectsWhatIsNotAJfrFile() throws Exception {
        Path shortFile = Files.write(dir.resolve("short.jfr"), new byte[10]);
        assertThrows(IOException.class, () -> TimeBase.ofFirstChunk(shortFile));
        Path noMagic = Files.write(dir.resolve("nomagic.jfr"), new byte[100]);
        IOException e = assertThrows(IOException.class, () -> TimeBase.ofFirstChunk(noMagic));
        assertTrue(e.getMessage().contains("not a JFR file"));
    }

    @Test
    void nanosecondTicks() {
        TimeBase tb = new TimeBase(NOW, 5_000, 1_000_000_000L);
        assertEquals(5_000, tb.toTicks(NOW));
        assertEquals(5_001, tb.toTicks(NOW + 1));
        assertEquals(4_999, tb.toTicks(NOW - 1));
        assertEquals(5_000 + 3_600_000_000_000L, tb.toTicks(NOW + 3_600_000_000_000L));
        assertEquals(NOW + 12_345, tb.toEpochNanos(tb.toTicks(NOW + 12_345)));
    }

    @Test
    void tscTicksRoundDownAndRoundTripWithinATick() {
        long tps = 2_899_998_765L;
        TimeBase tb = new TimeBase(NOW, 77, tps);
        assertEquals(77 + tps, tb.toTicks(NOW + 1_000_000_000L));
        assertEquals(77 + 2, tb.toTicks(NOW + 1)); // 2.89 ticks → 2
        assertEquals(77 - 3, tb.toTicks(NOW - 1)); // floor(-2.89) = -3
        for (long d : new long[] {0, 1, 999, 123_456_789, 86_400_000_000_000L, -5_000_000_000L}) {
            long back = tb.toEpochNanos(tb.toTicks(NOW + d));
            assertTrue(Math.abs(back - (NOW + d)) <= 1, "round trip of " + d + " gave " + (back - NOW - d));
        }
    }

    @Test
    void noOverflow() {
        TimeBase fast = new TimeBase(NOW, 0, 40_000_000_000L); // above 9.2 GHz: the exact path
        assertEquals(40_000_000_000L * 10, fast.toTicks(NOW + 10_000_000_000L));
        assertEquals(40, fast.toTicks(NOW + 1));
        TimeBase tb = new TimeBase(NOW, Long.MAX_VALUE - 10, 1_000_000_000L);
        assertEquals(Long.MAX_VALUE, tb.toTicks(NOW + 1_000_000));
        assertEquals(Long.MIN_VALUE, new TimeBase(Long.MAX_VALUE, Long.MIN_VALUE + 5, 3_000_000_000L).toTicks(Long.MIN_VALUE));
    }

    @Test
    void rebasingKeepsTheClockAndMovesTheStart() {
        for (long tps : new long[] {1_000_000_000L, 2_899_998_765L, 24_000_000L, 3_000_000_000L}) {
            TimeBase tb = new TimeBase(NOW, 1_234_567, tps);
            for (long near : new long[] {NOW, NOW + 5, NOW + 2_500_000_000L, NOW - 7_000_000_000L}) {
                TimeBase r = tb.rebasedNear(near);
                assertNotEquals(tb.startNanos(), r.startNanos(), "JMC loads one chunk per start time");
                assertTrue(r.startNanos() <= Math.max(near, tb.startNanos()));
                for (long t : new long[] {NOW, NOW + 1, NOW + 3_333_333_333L, NOW - 999}) {
                    assertEquals(tb.toTicks(t), r.toTicks(t), "same clock, tps " + tps);
                }
            }
        }
    }
}
