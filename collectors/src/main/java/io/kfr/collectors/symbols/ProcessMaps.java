package io.kfr.collectors.symbols;

import io.kfr.collectors.HeapShare;
import io.kfr.collectors.Frame;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Native frames of one process (normally this JVM's own): its /proc/PID/maps as sorted arrays, and
 * the symbol table of each mapped ELF file, loaded on first use and cached by path, device and
 * inode (so refreshes and several mappings of one file share it). Thread-safe; resolve never
 * throws.
 * <p>
 * Libraries load later than we start, so an ip outside every known mapping rereads the maps, at
 * most once per {@code minRefreshMillis}. Like {@link KernelSymbols}, callers pass return
 * addresses minus one.
 */
public final class ProcessMaps {
    /** Owner of frames in anonymous executable memory (JIT code: the JVM's code cache). */
    public static final String JIT_OWNER = "[jit]";
    private static final Frame JIT = Frame.unknown(JIT_OWNER);
    private static final Frame UNMAPPED = Frame.unknown("[unmapped]");
    private static final Frame ANON = Frame.unknown("[anon]");
    private static final int PERM_X = 4;

    private final Path proc; // /proc/self or /proc/<pid>
    private final long minRefreshNanos;
    private final Map<String, Loaded> objects = new ConcurrentHashMap<>();
    private final LongAdder unknownFrames = new LongAdder();
    private volatile Snapshot snapshot;
    private volatile long lastRefresh;

    /** This process. */
    public static ProcessMaps self() {
        return new ProcessMaps(Path.of("/proc/self"), 200);
    }

    /** Process {@code pid} (this JVM's own pid reads /proc/self). */
    public ProcessMaps(int pid) {
        this(pid == ProcessHandle.current().pid() ? Path.of("/proc/self") : Path.of("/proc/" + pid), 200);
    }

    public ProcessMaps(Path procDir, long minRefreshMillis) {
        this.proc = procDir;
        this.minRefreshNanos = TimeUnit.MILLISECONDS.toNanos(minRefreshMillis);
        refresh();
    }

    /** One mapping, for diagnostics and for readers that need the layout. */
    public static final class Mapping {
        private final long start;
        private final long end;
        private final String perms;
        private final long offset;
        private final String path;

        public Mapping(long start, long end, String perms, long offset, String path) {
            this.start = start;
            this.end = end;
            this.perms = perms;
            this.offset = offset;
            this.path = path;
        }

        public long start() {
            return start;
        }

        public long end() {
            return end;
        }

        public String perms() {
            return perms;
        }

        public long offset() {
            return offset;
        }

        public String path() {
            return path;
        }

        @Override
        public boolean equals(Object other) {
            if (this == other) {
                return true;
            }
            if (!(other instanceof Mapping)) {
                return false;
            }
            Mapping o = (Mapping) other;
            return start == o.start && end == o.end && Objects.equals(perms, o.perms) && offset == o.offset
                    && Objects.equals(path, o.path);
        }

        @Override
        public int hashCode() {
            int h = 0;
            h = 31 * h + Long.hashCode(start);
            h = 31 * h + Long.hashCode(end);
            h = 31 * h + Objects.hashCode(perms);
            h = 31 * h + Long.hashCode(offset);
            h = 31 * h + Objects.hashCode(path);
            return h;
        }

        @Override
        public String toString() {
            return "Mapping[start=" + start + ", end=" + end + ", perms=" + perms + ", offset=" + offset
                    + ", path=" + path + "]";
        }
    }

    /** An ELF object and the frames already made for its symbols. */
    private static final class Loaded {
        final ElfSymbolTable table;
        final Path file; // what was read: the path, or /proc/PID/map_files/... if the path was replaced
        final String name;
        final boolean jvm;
        final Frame unknown;
        /** The GNU build id in hex, "" if none: read once with the symbols, for {@link NativeImages}. */
        final String buildId;
        /** Frames of the symbols seen so far (a few hundred, not one slot per symbol of the table). */
        final Map<Integer, Frame> frames = new ConcurrentHashMap<>();
        private static final int MAX_FRAMES_PER_OBJECT = HeapShare.entries(8_192, 256);

        Loaded(ElfSymbolTable table, Path file, String name, String buildId) {
            this.table = table;
            this.buildId = buildId == null ? "" : buildId;
            this.file = file;
            this.name = name;
            this.jvm = name.equals("libjvm.so");
            this.unknown = Frame.unknown(name);
        }

        /** @param bias what turns the table's link-time addresses into this process's addresses */
        Frame frame(int sym, long bias) {
            Frame f = frames.get(sym);
            if (f != null) {
                return f;
            }
            if (frames.size() >= MAX_FRAMES_PER_OBJECT) {
                frames.clear(); // made again when seen again
            }
            return frames.computeIfAbsent(sym, i -> Frame.nativeCode(name, table.name(i), jvm, table.value(i) + bias));
        }
    }

    private static final class Snapshot {
        final int n;
        final long[] start;
        final long[] end;
        final long[] offset;
        final long[] dev;
        final long[] inode;
        final byte[] perms; // r=1 w=2 x=4 (p/s is not needed)
        final String[] path; // null for anonymous memory
        final Loaded[] loaded; // filled on first resolve in that mapping

        Snapshot(int n, long[] start, long[] end, long[] offset, long[] dev, long[] inode, byte[] perms,
                 String[] path) {
            this.n = n;
            this.start = start;
            this.end = end;
            this.offset = offset;
            this.dev = dev;
            this.inode = inode;
            this.perms = perms;
            this.path = path;
            this.loaded = new Loaded[n];
        }

        int find(long ip) {
            int i = ParallelSort.floor(start, n, ip);
            return i >= 0 && Long.compareUnsigned(ip, end[i]) < 0 ? i : -1;
        }
    }

    /** Rereads the maps now. Never throws: on failure the previous maps stay. */
    public void refresh() {
        lastRefresh = System.nanoTime();
        try {
            byte[] data;
            try (InputStream in = Files.newInputStream(proc.resolve("maps"))) {
                data = in.readAllBytes();
            }
            snapshot = parse(data);
        } catch (IOException | RuntimeException e) {
            if (snapshot == null) {
                snapshot = new Snapshot(0, new long[0], new long[0], new long[0], new long[0], new long[0],
                        new byte[0], new String[0]);
            }
        }
    }

    private boolean refreshRateLimited() {
        long now = System.nanoTime();
        if (now - lastRefresh < minRefreshNanos) return false;
        synchronized (this) {
            if (now - lastRefresh < minRefreshNanos) return false;
            refresh();
            return true;
        }
    }

    // "7f17355ff000-7f1735600000 r-xp 00026000 fe:01 1234   /usr/lib/x86_64-linux-gnu/libc.so.6"
    static Snapshot parse(byte[] d) {
        int cap = 256;
        long[] start = new long[cap], end = new long[cap], offset = new long[cap], dev = new long[cap],
                inode = new long[cap];
        byte[] perms = new byte[cap];
        String[] path = new String[cap];
        int n = 0;
        int p = 0;
        int[] pos = new int[1];
        while (p < d.length) {
            int eol = p;
            while (eol < d.length && d[eol] != '\n') eol++;
            pos[0] = p;
            long s = hex(d, pos, eol);
            pos[0]++; // '-'
            long e = hex(d, pos, eol);
            pos[0]++;
            int q = pos[0];
            if (q + 4 <= eol) {
                byte pm = (byte) ((d[q] == 'r' ? 1 : 0) | (d[q + 1] == 'w' ? 2 : 0) | (d[q + 2] == 'x' ? PERM_X : 0));
                pos[0] = q + 5;
                long off = hex(d, pos, eol);
                pos[0]++;
                long major = hex(d, pos, eol);
                pos[0]++; // ':'
                long minor = hex(d, pos, eol);
                pos[0]++;
                long ino = 0;
                int r = pos[0];
                while (r < eol && d[r] >= '0' && d[r] <= '9') ino = ino * 10 + (d[r++] - '0');
                while (r < eol && d[r] == ' ') r++;
                if (n == start.length) {
                    int c = n * 2;
                    start = Arrays.copyOf(start, c);
                    end = Arrays.copyOf(end, c);
                    offset = Arrays.copyOf(offset, c);
                    dev = Arrays.copyOf(dev, c);
                    inode = Arrays.copyOf(inode, c);
                    perms = Arrays.copyOf(perms, c);
                    path = Arrays.copyOf(path, c);
                }
                start[n] = s;
                end[n] = e;
                offset[n] = off;
                dev[n] = (major << 32) | minor;
                inode[n] = ino;
                perms[n] = pm;
                path[n] = r < eol ? new String(d, r, eol - r, StandardCharsets.UTF_8) : null;
                n++;
            }
            p = eol + 1;
        }
        return new Snapshot(n, start, end, offset, dev, inode, perms, path);
    }

    private static long hex(byte[] d, int[] pos, int limit) {
        long v = 0;
        int i = pos[0];
        for (; i < limit; i++) {
            int digit = Character.digit(d[i], 16);
            if (digit < 0) break;
            v = (v << 4) | digit;
        }
        pos[0] = i;
        return v;
    }

    /**
     * The frame for instruction address {@code ip}: a named native (or C++, for libjvm.so) frame;
     * otherwise an unknown frame, counted: "[jit]" for anonymous executable memory (the code cache),
     * "[unmapped]" outside every mapping, or the library's name when no symbol holds the address.
     */
    public Frame resolve(long ip) {
        try {
            Snapshot s = snapshot;
            int i = s.find(ip);
            if (i < 0 && refreshRateLimited()) {
                s = snapshot;
                i = s.find(ip);
            }
            if (i < 0) return unknown(UNMAPPED);
            String path = s.path[i];
            if (path == null || path.startsWith("[anon")) {
                return unknown((s.perms[i] & PERM_X) != 0 ? JIT : ANON);
            }
            Loaded o = loaded(s, i);
            if (o == null) return unknown(Frame.unknown(path)); // [heap], [stack], [vsyscall] ...
            long vaddr = o.table.fileOffsetToVaddr(ip - s.start[i] + s.offset[i]);
            int sym = vaddr < 0 ? -1 : o.table.indexOf(vaddr);
            return sym < 0 ? unknown(o.unknown) : o.frame(sym, ip - vaddr);
        } catch (RuntimeException e) {
            return unknown(UNMAPPED);
        }
    }

    private Frame unknown(Frame f) {
        unknownFrames.increment();
        return f;
    }

    private Loaded loaded(Snapshot s, int i) {
        Loaded o = s.loaded[i];
        if (o != null) return o;
        String path = s.path[i];
        String key;
        if (path.equals("[vdso]")) {
            key = "[vdso]@" + Long.toHexString(s.start[i]);
        } else if (path.startsWith("[")) {
            return null;
        } else {
            key = path + '@' + Long.toHexString(s.dev[i]) + ':' + s.inode[i];
        }
        o = objects.computeIfAbsent(key, k -> load(s, i));
        if ((s.perms[i] & PERM_X) != 0) {
            NativeImages.image(new NativeImages.Image(o.name, path.endsWith(" (deleted)")
                    ? path.substring(0, path.length() - 10) : path, o.buildId, s.start[i], s.end[i], s.offset[i]));
        }
        s.loaded[i] = o; // benign race: same instance
        return o;
    }

    private Loaded load(Snapshot s, int i) {
        String path = s.path[i];
        if (path.equals("[vdso]")) {
            return new Loaded(vdso(s.start[i], s.end[i]), null, "[vdso]", null);
        }
        String clean = path.endsWith(" (deleted)") ? path.substring(0, path.length() - 10) : path;
        String name = clean.substring(clean.lastIndexOf('/') + 1);
        Path file = sameFile(s, i, clean);
        if (file == null) {
            file = proc.resolve("map_files").resolve(Long.toHexString(s.start[i]) + "-" + Long.toHexString(s.end[i]));
        }
        try {
            return new Loaded(ElfSymbolTable.load(file), file, name, BuildIds.of(file));
        } catch (IOException | RuntimeException e) {
            return new Loaded(ElfSymbolTable.EMPTY, file, name, null); // not ELF, unreadable: remembered
        }
    }

    /** The path as seen from here if it still names the mapped inode (not replaced by an upgrade). */
    private Path sameFile(Snapshot s, int i, String path) {
        try {
            Path p = proc.endsWith("self") ? Path.of(path) : proc.resolve("root").resolve(path.substring(1));
            Object ino = Files.getAttribute(p, "unix:ino");
            return ino instanceof Long && (Long) ino == s.inode[i] ? p : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The vDSO is not a file: read its image from the process memory. */
    private ElfSymbolTable vdso(long start, long end) {
        try (FileChannel mem = FileChannel.open(proc.resolve("mem"), StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate((int) Math.min(end - start, 1 << 20));
            while (b.hasRemaining()) {
                if (mem.read(b, start + b.position()) <= 0) break;
            }
            b.flip();
            return ElfSymbolTable.fromImage(b);
        } catch (IOException | RuntimeException e) {
            return ElfSymbolTable.EMPTY;
        }
    }

    /**
     * Runtime address of symbol {@code symbol} (function or data) of the mapped file named
     * {@code fileName} (e.g. "libjvm.so", "gHotSpotVMStructs"); -1 if not mapped or not found.
     * Reads the file: for a few look-ups at start.
     */
    public long addressOf(String fileName, String symbol) {
        try {
            Snapshot s = snapshot;
            for (int i = 0; i < s.n; i++) {
                String path = s.path[i];
                if (path == null || path.startsWith("[") || !fileName.equals(path.substring(path.lastIndexOf('/') + 1))) {
                    continue;
                }
                Loaded o = loaded(s, i);
                if (o == null || o.table == ElfSymbolTable.EMPTY) return -1;
                long bias = o.table.loadBias(s.start[i], s.offset[i], s.end[i] - s.start[i]);
                if (bias == Long.MIN_VALUE) continue; // e.g. a mapping that starts no PT_LOAD
                long value = ElfSymbolTable.symbolValue(o.file, symbol);
                return value < 0 ? -1 : value + bias;
            }
        } catch (IOException | RuntimeException e) {
            // fall through: not found
        }
        return -1;
    }

    /** The mapping that holds {@code ip} in the current snapshot, or null. */
    public Mapping mapping(long ip) {
        Snapshot s = snapshot;
        int i = s.find(ip);
        if (i < 0) return null;
        byte p = s.perms[i];
        String perms = ((p & 1) != 0 ? "r" : "-") + ((p & 2) != 0 ? "w" : "-") + ((p & PERM_X) != 0 ? "x" : "-");
        return new Mapping(s.start[i], s.end[i], perms, s.offset[i], s.path[i]);
    }

    /** Number of mappings in the current snapshot. */
    public int size() {
        return snapshot.n;
    }

    /** Frames that could not be named, since this instance was made. */
    public long unknownFrames() {
        return unknownFrames.sum();
    }
}
