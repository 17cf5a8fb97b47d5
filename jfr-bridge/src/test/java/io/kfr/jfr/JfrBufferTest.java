package io.kfr.jfr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class JfrBufferTest {

    private static byte[] bytes(int... b) {
        byte[] r = new byte[b.length];
        for (int i = 0; i < b.length; i++) {
            r[i] = (byte) b[i];
        }
        return r;
    }

    @Test
    void varints() {
        assertArrayEquals(bytes(0), new JfrBuffer().writeVarLong(0).toByteArray());
        assertArrayEquals(bytes(0x7F), new JfrBuffer().writeVarLong(127).toByteArray());
        assertArrayEquals(bytes(0x80, 0x01), new JfrBuffer().writeVarLong(128).toByteArray());
        assertArrayEquals(bytes(0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF), new JfrBuffer().writeVarLong(-1).toByteArray());
        assertArrayEquals(bytes(0xFF, 0xFF, 0xFF, 0xFF, 0x0F), new JfrBuffer().writeVarInt(-1).toByteArray());
        assertEquals(4, new JfrBuffer().writeVarLong(KfrEventTypes.OFF_CPU.id()).size(), "kfr type ids fit 4 bytes");
        for (long v : new long[] {0, 1, 127, 128, 1L << 35, Long.MAX_VALUE, Long.MIN_VALUE, -2}) {
            assertEquals(JfrBuffer.varLongSize(v), new JfrBuffer().writeVarLong(v).size());
        }
    }

    @Test
    void sizedEventCountsItsOwnPrefix() {
        for (int body : new int[] {0, 1, 125, 126, 127, 128, 16_380, 16_381, 16_382, 16_383, 16_384}) {
            JfrBuffer b = new JfrBuffer();
            for (int i = 0; i < body; i++) {
                b.writeByte(0x55);
            }
            JfrBuffer event = new JfrBuffer().writeSizedEvent(b);
            byte[] e = event.toByteArray();
            long size = 0;
            int i = 0;
            for (int shift = 0; ; shift += 7) {
                size |= (long) (e[i] & 0x7F) << shift;
                if ((e[i++] & 0x80) == 0) {
                    break;
                }
            }
            assertEquals(e.length, size, "body " + body);
            assertEquals(body, e.length - i);
        }
    }

    @Test
    void strings() {
        assertArrayEquals(bytes(0), new JfrBuffer().writeString(null).toByteArray());
        assertArrayEquals(bytes(1), new JfrBuffer().writeString("").toByteArray());
        assertArrayEquals(bytes(5, 2, 'o', 0xF6), new JfrBuffer().writeString("oö").toByteArray(), "Latin-1");
        assertArrayEquals(bytes(3, 2, 0xCE, 0xBB), new JfrBuffer().writeString("λ").toByteArray(), "UTF-8, length in bytes");
        assertArrayEquals(bytes(2, 0x80, 0x01), new JfrBuffer().writePooledString(128).toByteArray());
        assertArrayEquals(bytes(0), new JfrBuffer().writePooledString(0).toByteArray());
    }

    @Test
    void rawBigEndian() {
        assertArrayEquals(bytes(0x3F, 0xF0, 0, 0, 0, 0, 0, 0), new JfrBuffer().writeDouble(1.0).toByteArray());
        assertArrayEquals(bytes(0, 2), new JfrBuffer().writeRawShort(2).toByteArray());
        assertArrayEquals(bytes(1, 2, 3, 4), new JfrBuffer().writeRawInt(0x01020304).toByteArray());
    }
}
