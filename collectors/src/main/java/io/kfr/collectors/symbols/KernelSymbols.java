package io.kfr.collectors.symbols;

import io.kfr.collectors.Frame;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.LongAdder;

/**
 * Kernel text symbols from /proc/kallsyms, read once: sorted addresses and packed names, found by
 * binary search. kallsyms has no sizes, so an address belongs to the nearest preceding symbol,
 * unless that is a section end marker (_etext, __*_text_end) or more than {@link #MAX_FUNCTION_SIZE}
 * away (the largest kernel function is ~20 KiB; farther means a gap, e.g. after the last module
 * symbol). Symbols loaded later (modules, BPF programs) need a new instance.
 * <p>
 * Callers pass return addresses of non-leaf frames minus one, so a call that is the last
 * instruction of a function is not attributed to the next one.
 */
public final class KernelSymbols {
    static final long MAX_FUNCTION_SIZE = 128 * 1024;
    private static final Frame UNKNOWN = Frame.unknown("kernel");
    private static final int END_MARKER = -1;

    private final long[] addrs;
    private final int[] nameIdx; // END_MARKER for section ends: addresses there are unknown
    private final NameTable names;
    private final Frame[] frames; // lazily built, one per symbol, so equal ips give the same Frame
    private final int count;
    private final String unavailableReason;
    private final LongAdder unknownFrames = new LongAdder();

    /** Loads /proc/kallsyms, like {@link #load()}. Never throws. */
    public KernelSymbols() {
        this(load());
    }

    private KernelSymbols(KernelSymbols loaded) {
        this(loaded.addrs, loaded.nameIdx, loaded.names, loaded.count, loaded.unavailableReason);
    }

    private KernelSymbols(long[] addrs, int[] nameIdx, NameTable names, int count, String reason) {
        this.addrs = addrs;
        this.nameIdx = nameIdx;
        this.names = names;
        this.count = count;
        this.frames = new Frame[count];
        this.unavailableReason = reason;
    }

    /** Loads /proc/kallsyms; never throws: failures give an instance that resolves nothing. */
    public static KernelSymbols load() {
        return load(Path.of("/proc/kallsyms"));
    }

    static KernelSymbols load(Path kallsyms) {
        byte[] data = new byte[6 << 20]; // 5.4 MB with 122k symbols (kernel 6.x)
        int len = 0;
        try (InputStream in = Files.newInputStream(kallsyms)) {
            // procfs reports size 0: read to EOF, in large reads (each read walks the symbol list)
            for (int n; (n = in.read(data, len, Math.min(data.length - len, 1 << 20))) > 0; ) {
                len += n;
                if (len == data.length) data = java.util.Arrays.copyOf(data, data.length * 2);
            }
        } catch (IOException | RuntimeException e) {
            return unavailable("cannot read " + kallsyms + ": " + e);
        }
        try {
            return parse(data, len);
        } catch (RuntimeException e) {
            return unavailable("cannot parse " + kallsyms + ": " + e);
        }
    }

    private static KernelSymbols unavailable(String reason) {
        return new KernelSymbols(new long[0], new int[0], new NameTable.Builder(0, 0).build(), 0, reason);
    }

    static KernelSymbols parse(byte[] d, int len) {
        int cap = Math.max(1024, len / 40);
        long[] addr = new long[cap];
        int[] entry = new int[cap];
        int[] nameFrom = new int[cap];
        int[] nameTo = new int[cap];
        byte[] type = new byte[cap];
        int n = 0;
        boolean anyNonZero = false;
        int p = 0;
        while (p < len) {
            // "ffffffff81000000 T name\t[module]\n", read in one pass
            long a = 0;
            int q = p;
            for (int digit; q < len && (digit = HEX[d[q] & 0xff]) >= 0; q++) {
                a = (a << 4) | digit;
            }
            int to = q;
            if (q + 3 < len && d[q] == ' ' && d[q + 2] == ' ' && isText(d[q + 1])) {
                int from = q + 3;
                to = from;
                for (byte c; to < len && (c = d[to]) != '\n' && c != '\t' && c != ' '; ) to++;
                if (n == addr.length) {
                    int c = n * 2;
                    addr = java.util.Arrays.copyOf(addr, c);
                    entry = java.util.Arrays.copyOf(entry, c);
                    nameFrom = java.util.Arrays.copyOf(nameFrom, c);
                    nameTo = java.util.Arrays.copyOf(nameTo, c);
                    type = java.util.Arrays.copyOf(type, c);
                }
                addr[n] = a;
                entry[n] = n;
                nameFrom[n] = from;
                nameTo[n] = to;
                type[n] = d[q + 1];
                anyNonZero |= a != 0;
                n++;
            }
            while (to < len && d[to] != '\n') to++; // the rest: a module name, or a skipped line
            p = to + 1;
        }
        if (n == 0) {
            return unavailable("no text symbols in /proc/kallsyms");
        }
        if (!anyNonZero) {
            return unavailable("kernel symbol addresses are hidden (kernel.kptr_restrict="
                    + kptrRestrict() + "); run as root/CAP_SYSLOG or set sysctl kernel.kptr_restrict=0");
        }
        ParallelSort.sort(addr, entry, n);

        // One symbol per address: the best of its aliases.
        long[] outAddr = new long[n];
        int[] outName = new int[n];
        NameTable.Builder nb = new NameTable.Builder(n, n * 24);
        int m = 0;
        for (int i = 0; i < n; ) {
            int best = entry[i];
            int j = i + 1;
            while (j < n && addr[j] == addr[i]) {
                int e = entry[j];
                if (better(d, nameFrom[e], nameTo[e], type[e], nameFrom[best], nameTo[best], type[best])) {
                    best = e;
                }
                j++;
            }
            outAddr[m] = addr[i];
            outName[m] = markerRank(d, nameFrom[best], nameTo[best]) == 2
                    ? END_MARKER : nb.add(d, nameFrom[best], nameTo[best]);
            m++;
            i = j;
        }
        return new KernelSymbols(outAddr, outName, nb.build(), m, null);
    }

    private static final byte[] HEX = new byte[256];

    static {
        java.util.Arrays.fill(HEX, (byte) -1);
        for (int i = 0; i < 16; i++) {
            HEX["0123456789abcdef".charAt(i)] = (byte) i;
            HEX["0123456789ABCDEF".charAt(i)] = (byte) i;
        }
    }

    private static boolean isText(byte t) {
        return t == 't' || t == 'T' || t == 'w' || t == 'W';
    }

    // Among aliases: a function over a section marker, fewer leading underscores (the public
    // name), global over local, then the shorter name.
    private static boolean better(byte[] d, int af, int at, byte aType, int bf, int bt, byte bType) {
        int c = Integer.compare(markerRank(d, af, at), markerRank(d, bf, bt));
        if (c != 0) return c < 0;
        c = Integer.compare(underscores(d, af, at), underscores(d, bf, bt));
        if (c != 0) return c < 0;
        boolean aGlobal = aType == 'T' || aType == 'W';
        boolean bGlobal = bType == 'T' || bType == 'W';
        if (aGlobal != bGlobal) return aGlobal;
        return (at - af) < (bt - bf);
    }

    /** 0: function, 1: section start marker, 2: section end marker. */
    private static int markerRank(byte[] d, int from, int to) {
        if (eq(d, from, to, "_etext") || eq(d, from, to, "_einittext")) return 2;
        if (eq(d, from, to, "_stext") || eq(d, from, to, "_sinittext") || eq(d, from, to, "_text")) return 1;
        if (to - from > 2 && d[from] == '_' && d[from + 1] == '_') {
            if (endsWith(d, from, to, "_text_end")) return 2;
            if (endsWith(d, from, to, "_text_start")) return 1;
        }
        return 0;
    }

    private static int underscores(byte[] d, int from, int to) {
        int i = from;
        while (i < to && d[i] == '_') i++;
        return i - from;
    }

    private static boolean eq(byte[] d, int from, int to, String s) {
        return to - from == s.length() && endsWith(d, from, to, s);
    }

    private static boolean endsWith(byte[] d, int from, int to, String s) {
        int n = s.length();
        if (to - from < n) return false;
        for (int i = 0; i < n; i++) {
            if (d[to - n + i] != s.charAt(i)) return false;
        }
        return true;
    }

    private static String kptrRestrict() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/kptr_restrict")).trim();
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    /** The kernel function containing {@code ip}, or an unknown frame (counted). Never throws. */
    public Frame resolve(long ip) {
        int i = indexOf(ip);
        if (i < 0) {
            unknownFrames.increment();
            return UNKNOWN;
        }
        Frame f = frames[i];
        if (f == null) {
            f = Frame.kernel(names.get(nameIdx[i]));
            frames[i] = f; // benign race: equal values
        }
        return f;
    }

    /** The name of the kernel function containing {@code ip}, or null. */
    public String name(long ip) {
        int i = indexOf(ip);
        return i < 0 ? null : names.get(nameIdx[i]);
    }

    private int indexOf(long ip) {
        int i = ParallelSort.floor(addrs, count, ip);
        if (i < 0 || nameIdx[i] == END_MARKER || Long.compareUnsigned(ip - addrs[i], MAX_FUNCTION_SIZE) >= 0) {
            return -1;
        }
        return i;
    }

    /** True when symbols were loaded; otherwise {@link #unavailableReason()} says why. */
    public boolean available() {
        return unavailableReason == null;
    }

    /** One line on why kernel frames cannot be named, or null when they can. */
    public String unavailableReason() {
        return unavailableReason;
    }

    /** Number of distinct symbol addresses. */
    public int size() {
        return count;
    }

    public long unknownFrames() {
        return unknownFrames.sum();
    }
}
