package io.kfr.collectors.symbols;

import io.kfr.collectors.HeapShare;
import io.kfr.collectors.natives.Buffers;
import io.kfr.collectors.Frame;

import io.kfr.collectors.natives.OffHeap;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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
    /** The scan's heap window, and the longest line it expects whole (names are at most 512 bytes). */
    private static final int WINDOW = 64 * 1024;
    private static final int MAX_LINE = 4096;

    // Off-heap (OffHeap): 122k symbols are ~5 MB that must not sit in the application's heap.
    private final ByteBuffer addrs; // long per symbol
    private final ByteBuffer nameIdx; // int per symbol; END_MARKER for section ends: addresses there are unknown
    private final NameTable names;
    /**
     * Built when first resolved, one per symbol, so equal ips give the same Frame; only seen ones,
     * up to {@link #MAX_FRAMES}, then made again as they are seen.
     */
    private final Map<Integer, Frame> frames = new ConcurrentHashMap<>();
    private static final int MAX_FRAMES = HeapShare.entries(8_192, 256);
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

    private KernelSymbols(ByteBuffer addrs, ByteBuffer nameIdx, NameTable names, int count, String reason) {
        this.addrs = addrs;
        this.nameIdx = nameIdx;
        this.names = names;
        this.count = count;
        this.unavailableReason = reason;
    }

    /** Loads /proc/kallsyms; never throws: failures give an instance that resolves nothing. */
    public static KernelSymbols load() {
        return load(Path.of("/proc/kallsyms"));
    }

    static KernelSymbols load(Path kallsyms) {
        // read off-heap: the file is ~5.4 MB with 122k symbols (kernel 6.x)
        ByteBuffer data = OffHeap.allocate(6 << 20);
        int len = 0;
        try (FileChannel in = FileChannel.open(kallsyms)) {
            // procfs reports size 0: read to EOF, in large reads (each read walks the symbol list)
            while (true) {
                if (len == data.capacity()) {
                    data = OffHeap.grow(data, 2L * data.capacity(), len);
                }
                int n = in.read(Buffers.slice(data, len, Math.min(data.capacity() - len, 1 << 20)));
                if (n <= 0) {
                    break;
                }
                len += n;
            }
        } catch (IOException | RuntimeException e) {
            OffHeap.free(data);
            return unavailable("cannot read " + kallsyms + ": " + e);
        }
        try {
            return parse(data, len);
        } catch (RuntimeException e) {
            return unavailable("cannot parse " + kallsyms + ": " + e);
        } finally {
            OffHeap.free(data);
        }
    }

    private static KernelSymbols unavailable(String reason) {
        return new KernelSymbols(OffHeap.allocate(8), OffHeap.allocate(4), new NameTable.Builder(0, 0).build(), 0, reason);
    }

    /** For tests: parses kallsyms text held on the heap. */
    static KernelSymbols parse(byte[] text, int len) {
        ByteBuffer d = OffHeap.allocate(len);
        try {
            Buffers.put(d, 0, text, 0, len);
            return parse(d, len);
        } finally {
            OffHeap.free(d);
        }
    }

    /** Parses kallsyms text; every array, the temporary ones included, is off-heap. */
    static KernelSymbols parse(ByteBuffer d, int len) {
        int cap = Math.max(1024, len / 40);
        // per candidate symbol: address (long), entry, name from, name to (ints), type (byte)
        ByteBuffer addr = OffHeap.allocate(8L * cap);
        ByteBuffer entry = OffHeap.allocate(4L * cap);
        ByteBuffer nameFrom = OffHeap.allocate(4L * cap);
        ByteBuffer nameTo = OffHeap.allocate(4L * cap);
        ByteBuffer type = OffHeap.allocate(cap);
        ByteBuffer outAddr = null;
        ByteBuffer outName = null;
        try {
            int n = 0;
            boolean anyNonZero = false;
            // The text is scanned through a small heap window: byte by byte through the buffer
            // itself is ~10x slower while kfr's thread still runs interpreted (seen with -Xint).
            byte[] w = new byte[WINDOW];
            int base = 0;
            int wEnd = 0;
            int p = 0;
            while (p < len) {
                if (p + MAX_LINE > wEnd && wEnd < len) {
                    base = p;
                    wEnd = Math.min(len, p + w.length);
                    Buffers.get(d, p, w, 0, wEnd - p);
                }
                // "ffffffff81000000 T name\t[module]\n", read in one pass
                long a = 0;
                int q = p;
                for (int digit; q < wEnd && (digit = HEX[w[q - base] & 0xff]) >= 0; q++) {
                    a = (a << 4) | digit;
                }
                int to = q;
                if (q + 3 < wEnd && w[q - base] == ' ' && w[q + 2 - base] == ' ' && isText(w[q + 1 - base])) {
                    int from = q + 3;
                    to = from;
                    for (byte c; to < wEnd && (c = w[to - base]) != '\n' && c != '\t' && c != ' '; ) to++;
                    if (n == cap) {
                        int c = n * 2;
                        addr = OffHeap.grow(addr, 8L * c, 8 * n);
                        entry = OffHeap.grow(entry, 4L * c, 4 * n);
                        nameFrom = OffHeap.grow(nameFrom, 4L * c, 4 * n);
                        nameTo = OffHeap.grow(nameTo, 4L * c, 4 * n);
                        type = OffHeap.grow(type, c, n);
                        cap = c;
                    }
                    addr.putLong(8 * n, a);
                    entry.putInt(4 * n, n);
                    nameFrom.putInt(4 * n, from);
                    nameTo.putInt(4 * n, to);
                    type.put(n, w[q + 1 - base]);
                    anyNonZero |= a != 0;
                    n++;
                }
                // the rest: a module name, or a skipped line (past the window only for absurd lines)
                while (to < len && (to < wEnd ? w[to - base] : d.get(to)) != '\n') to++;
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
            outAddr = OffHeap.allocate(8L * n);
            outName = OffHeap.allocate(4L * n);
            NameTable.Builder nb = new NameTable.Builder(n, n * 24);
            int m = 0;
            for (int i = 0; i < n; ) {
                int best = entry.getInt(4 * i);
                long ai = addr.getLong(8 * i);
                int j = i + 1;
                while (j < n && addr.getLong(8 * j) == ai) {
                    int e = entry.getInt(4 * j);
                    if (better(d, nameFrom.getInt(4 * e), nameTo.getInt(4 * e), type.get(e),
                            nameFrom.getInt(4 * best), nameTo.getInt(4 * best), type.get(best))) {
                        best = e;
                    }
                    j++;
                }
                int bf = nameFrom.getInt(4 * best);
                int bt = nameTo.getInt(4 * best);
                outAddr.putLong(8 * m, ai);
                outName.putInt(4 * m, markerRank(d, bf, bt) == 2 ? END_MARKER : nb.add(d, bf, bt));
                m++;
                i = j;
            }
            KernelSymbols k = new KernelSymbols(outAddr, outName, nb.build(), m, null);
            outAddr = null;
            outName = null;
            return k;
        } finally {
            OffHeap.free(addr);
            OffHeap.free(entry);
            OffHeap.free(nameFrom);
            OffHeap.free(nameTo);
            OffHeap.free(type);
            OffHeap.free(outAddr);
            OffHeap.free(outName);
        }
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
    private static boolean better(ByteBuffer d, int af, int at, byte aType, int bf, int bt, byte bType) {
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
    private static int markerRank(ByteBuffer d, int from, int to) {
        if (eq(d, from, to, "_etext") || eq(d, from, to, "_einittext")) return 2;
        if (eq(d, from, to, "_stext") || eq(d, from, to, "_sinittext") || eq(d, from, to, "_text")) return 1;
        if (to - from > 2 && d.get(from) == '_' && d.get(from + 1) == '_') {
            if (endsWith(d, from, to, "_text_end")) return 2;
            if (endsWith(d, from, to, "_text_start")) return 1;
        }
        return 0;
    }

    private static int underscores(ByteBuffer d, int from, int to) {
        int i = from;
        while (i < to && d.get(i) == '_') i++;
        return i - from;
    }

    private static boolean eq(ByteBuffer d, int from, int to, String s) {
        return to - from == s.length() && endsWith(d, from, to, s);
    }

    private static boolean endsWith(ByteBuffer d, int from, int to, String s) {
        int n = s.length();
        if (to - from < n) return false;
        for (int i = 0; i < n; i++) {
            if (d.get(to - n + i) != s.charAt(i)) return false;
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
        Frame f = frames.get(i);
        if (f != null) {
            return f;
        }
        if (frames.size() >= MAX_FRAMES) {
            frames.clear(); // made again when seen again
        }
        return frames.computeIfAbsent(i, k -> {
            imageSeen();
            return Frame.kernel(names.get(nameIdx.getInt(4 * k)), addrs.getLong(8 * k));
        });
    }

    private volatile boolean imageTold;

    /** The kernel as an image of {@link NativeImages}: its text symbols' range and build id. */
    private void imageSeen() {
        if (!imageTold && count > 0) {
            imageTold = true;
            NativeImages.image(new NativeImages.Image(NativeImages.KERNEL, "[kernel.kallsyms]",
                    NativeImages.kernelBuildId(), addrs.getLong(0), addrs.getLong(8 * (count - 1)) + 1, 0));
        }
    }

    /** The name of the kernel function containing {@code ip}, or null. */
    public String name(long ip) {
        int i = indexOf(ip);
        return i < 0 ? null : names.get(nameIdx.getInt(4 * i));
    }

    private int indexOf(long ip) {
        int i = ParallelSort.floor(addrs, count, ip);
        if (i < 0 || nameIdx.getInt(4 * i) == END_MARKER
                || Long.compareUnsigned(ip - addrs.getLong(8 * i), MAX_FUNCTION_SIZE) >= 0) {
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
