package io.kfr.agent;

import java.util.Locale;

/** Parses sizes written as a number and an optional unit (powers of 1024): 65536, 64k, 4m, 4mb, 1g. */
public final class Sizes {
    private Sizes() {
    }

    /**
     * The size in bytes; each caller words its own error.
     * @throws NumberFormatException when the text is not a size, is negative or overflows a long
     */
    public static long parseBytes(String text) {
        String v = text.trim().toLowerCase(Locale.ROOT);
        if (v.endsWith("b") && v.length() > 1 && !Character.isDigit(v.charAt(v.length() - 2))) {
            v = v.substring(0, v.length() - 1);
        }
        long unit = 1;
        char last = v.isEmpty() ? ' ' : v.charAt(v.length() - 1);
        if (last == 'k' || last == 'm' || last == 'g') {
            unit = last == 'k' ? 1L << 10 : last == 'm' ? 1L << 20 : 1L << 30;
            v = v.substring(0, v.length() - 1);
        }
        long n = Long.parseLong(v);
        if (n < 0 || n > Long.MAX_VALUE / unit) {
            throw new NumberFormatException("size out of range: \"" + text + "\"");
        }
        return n * unit;
    }
}
