package io.kfr.collectors.symbols;

import io.kfr.collectors.natives.OffHeap;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The function symbols (STT_FUNC, STT_GNU_IFUNC) of one ELF64 object, from .dynsym, .symtab and the
 * .symtab of its separate debug file when one is installed (see {@link DebugFiles}), sorted by
 * address with one name per address; plus its PT_LOAD segments, to turn file offsets into
 * addresses. C++ names are kept mangled (JMC shows them as they are; demangling is not done here).
 * Immutable and thread-safe.
 */
public final class ElfSymbolTable {
    private static final int STT_FUNC = 2;
    private static final int STT_GNU_IFUNC = 10;
    private static final int STB_LOCAL = 0;
    private static final int STB_GLOBAL = 1;
    private static final int SYM_SIZE = 24;
    /** How far back to look for a symbol that encloses a nested one (local labels typed FUNC). */
    private static final int ENCLOSING_SCAN = 8;

    public static final ElfSymbolTable EMPTY = new ElfSymbolTable(ByteBuffer.allocate(0), ByteBuffer.allocate(0),
            ByteBuffer.allocate(0), new NameTable.Builder(0, 0).build(), 0, new long[0], new long[0], new long[0], null);

    // Off-heap (OffHeap): libjvm alone has tens of thousands of symbols, not for the application's heap.
    private final ByteBuffer values; // long per symbol
    private final ByteBuffer sizes; // long per symbol
    private final ByteBuffer nameIdx; // int per symbol
    private final NameTable names;
    private final int count;
    private final long[] loadOffset; // PT_LOAD p_offset
    private final long[] loadVaddr; // PT_LOAD p_vaddr
    private final long[] loadFilesz; // PT_LOAD p_filesz
    private final Path debugFile;

    private ElfSymbolTable(ByteBuffer values, ByteBuffer sizes, ByteBuffer nameIdx, NameTable names, int count,
                           long[] loadOffset, long[] loadVaddr, long[] loadFilesz, Path debugFile) {
        this.values = values;
        this.sizes = sizes;
        this.nameIdx = nameIdx;
        this.names = names;
        this.count = count;
        this.loadOffset = loadOffset;
        this.loadVaddr = loadVaddr;
        this.loadFilesz = loadFilesz;
        this.debugFile = debugFile;
    }

    /** Reads {@code file}, and its debug file when there is one. */
    public static ElfSymbolTable load(Path file) throws IOException {
        return load(file, DebugFiles.SYSTEM);
    }

    static ElfSymbolTable load(Path file, DebugFiles debugFiles) throws IOException {
        try (ElfFile elf = ElfFile.open(file)) {
            Path debug = debugFiles == null ? null : debugFiles.find(file, elf);
            Collector c = new Collector();
            try {
                c.addAll(elf);
                if (debug != null) {
                    try (ElfFile d = ElfFile.open(debug)) {
                        c.addAll(d);
                    } catch (IOException | RuntimeException e) {
                        debug = null; // a broken debug file: keep what the library has
                    }
                }
                return c.build(elf, debug);
            } finally {
                c.free();
            }
        } catch (RuntimeException e) {
            throw new IOException(file + ": " + e, e);
        }
    }

    /** Parses an ELF image held in memory (the vDSO). */
    public static ElfSymbolTable fromImage(ByteBuffer image) throws IOException {
        try (ElfFile elf = ElfFile.of(image)) {
            Collector c = new Collector();
            try {
                c.addAll(elf);
                return c.build(elf, null);
            } finally {
                c.free();
            }
        } catch (RuntimeException e) {
            throw new IOException("bad ELF image: " + e, e);
        }
    }

    /**
     * The value (link-time address) of any defined symbol named {@code name} — functions and data
     * alike, e.g. gHotSpotVMStructs — from the file or its debug file; -1 if absent. Reads the file:
     * meant for a few look-ups at start, not per sample.
     */
    public static long symbolValue(Path file, String name) throws IOException {
        byte[] want = name.getBytes(StandardCharsets.UTF_8);
        try (ElfFile elf = ElfFile.open(file)) {
            long v = symbolValue(elf, want);
            if (v != -1) return v;
            Path debug = DebugFiles.SYSTEM.find(file, elf);
            if (debug != null) {
                try (ElfFile d = ElfFile.open(debug)) {
                    return symbolValue(d, want);
                }
            }
            return -1;
        } catch (RuntimeException e) {
            throw new IOException(file + ": " + e, e);
        }
    }

    private static long symbolValue(ElfFile elf, byte[] want) throws IOException {
        for (ElfFile.Section s : elf.sections) {
            if (s.type() != ElfFile.SHT_DYNSYM && s.type() != ElfFile.SHT_SYMTAB) continue;
            ByteBuffer syms = elf.sectionData(s);
            ByteBuffer strs = s.link() < elf.sections.size() ? elf.sectionData(elf.sections.get(s.link())) : null;
            if (syms == null || strs == null) continue;
            for (int o = 0; o + SYM_SIZE <= syms.limit(); o += SYM_SIZE) {
                if (syms.getShort(o + 6) != 0 && nameEquals(strs, syms.getInt(o), want)) {
                    return syms.getLong(o + 8);
                }
            }
        }
        return -1;
    }

    private static boolean nameEquals(ByteBuffer strs, int pos, byte[] want) {
        if (pos < 0 || pos + want.length >= strs.limit()) return false;
        for (int i = 0; i < want.length; i++) {
            if (strs.get(pos + i) != want[i]) return false;
        }
        return strs.get(pos + want.length) == 0;
    }

    /** Gathers candidate symbols from all symbol sections, then keeps one per address. */
    private static final class Collector {
        private final List<ByteBuffer> strtabs = new ArrayList<>();
        private long[] value = new long[1024];
        private long[] size = new long[1024];
        private int[] str = new int[1024]; // st_name: offset into strtabs[strIdx]
        private int[] strIdx = new int[1024];
        private byte[] bind = new byte[1024];
        private int n;

        void addAll(ElfFile elf) throws IOException {
            for (ElfFile.Section s : elf.sections) {
                if (s.type() != ElfFile.SHT_DYNSYM && s.type() != ElfFile.SHT_SYMTAB) continue;
                if (s.link() <= 0 || s.link() >= elf.sections.size()) continue;
                ByteBuffer syms = elf.sectionData(s);
                ByteBuffer strs = elf.sectionData(elf.sections.get(s.link()));
                if (syms == null || strs == null) continue;
                int t = strtabs.size();
                strtabs.add(strs);
                for (int o = 0; o + SYM_SIZE <= syms.limit(); o += SYM_SIZE) {
                    int info = syms.get(o + 4);
                    int type = info & 0xf;
                    if (type != STT_FUNC && type != STT_GNU_IFUNC) continue;
                    if (syms.getShort(o + 6) == 0) continue; // undefined: lives in another object
                    long v = syms.getLong(o + 8);
                    int name = syms.getInt(o);
                    if (v == 0 || name <= 0 || name >= strs.limit() || strs.get(name) == 0) continue;
                    add(v, syms.getLong(o + 16), (info >> 4) & 0xf, t, name);
                }
            }
        }

        private void add(long v, long sz, int b, int table, int name) {
            if (n == value.length) {
                int c = n * 2;
                value = Arrays.copyOf(value, c);
                size = Arrays.copyOf(size, c);
                str = Arrays.copyOf(str, c);
                strIdx = Arrays.copyOf(strIdx, c);
                bind = Arrays.copyOf(bind, c);
            }
            value[n] = v;
            size[n] = sz;
            str[n] = name;
            strIdx[n] = table;
            bind[n] = (byte) b;
            n++;
        }

        /** Nothing off-heap to give back: the candidates are heap arrays. */
        void free() {
        }

        ElfSymbolTable build(ElfFile elf, Path debug) {
            long[] keys = Arrays.copyOf(value, n);
            int[] order = new int[n];
            for (int i = 0; i < n; i++) order[i] = i;
            ParallelSort.sort(keys, order, n);

            // the tables kept are off-heap; the candidates above are on the heap only while loading
            // (~25 bytes each, ~1 MB for libjvm): through buffers the interpreted load is slower
            ByteBuffer outValue = OffHeap.allocate(8L * n);
            ByteBuffer outSize = OffHeap.allocate(8L * n);
            ByteBuffer outName = OffHeap.allocate(4L * n);
            NameTable.Builder nb = new NameTable.Builder(n, n * 32);
            int m = 0;
            for (int i = 0; i < n; ) {
                int best = order[i];
                long maxSize = size[best];
                int j = i + 1;
                while (j < n && keys[j] == keys[i]) {
                    int e = order[j];
                    if (better(e, best)) best = e;
                    maxSize = Math.max(maxSize, size[e]);
                    j++;
                }
                outValue.putLong(8 * m, keys[i]);
                outSize.putLong(8 * m, maxSize); // aliases may disagree (one sized, one not): trust the sized
                outName.putInt(4 * m, nb.addNulTerminated(strtabs.get(strIdx[best]), str[best]));
                m++;
                i = j;
            }
            List<ElfFile.Segment> loads = new ArrayList<>();
            for (ElfFile.Segment s : elf.segments) {
                if (s.type() == ElfFile.PT_LOAD) loads.add(s);
            }
            long[] lo = new long[loads.size()];
            long[] lv = new long[loads.size()];
            long[] lf = new long[loads.size()];
            for (int i = 0; i < lo.length; i++) {
                lo[i] = loads.get(i).offset();
                lv[i] = loads.get(i).vaddr();
                lf[i] = loads.get(i).filesz();
            }
            return new ElfSymbolTable(outValue, outSize, outName, nb.build(), m, lo, lv, lf, debug);
        }

        // Among aliases: a sized symbol, then fewer leading underscores (nanosleep, not
        // __nanosleep), then global over weak over local, then the shorter name.
        private boolean better(int a, int b) {
            if ((size[a] > 0) != (size[b] > 0)) return size[a] > 0;
            ByteBuffer sa = strtabs.get(strIdx[a]);
            ByteBuffer sb = strtabs.get(strIdx[b]);
            int c = Integer.compare(underscores(sa, str[a]), underscores(sb, str[b]));
            if (c != 0) return c < 0;
            c = Integer.compare(bindRank(bind[a]), bindRank(bind[b]));
            if (c != 0) return c < 0;
            return length(sa, str[a]) < length(sb, str[b]);
        }

        private static int bindRank(int b) {
            return b == STB_GLOBAL ? 0 : b == STB_LOCAL ? 2 : 1;
        }

        private static int underscores(ByteBuffer s, int p) {
            int i = p;
            while (i < s.limit() && s.get(i) == '_') i++;
            return i - p;
        }

        private static int length(ByteBuffer s, int p) {
            int i = p;
            while (i < s.limit() && s.get(i) != 0) i++;
            return i - p;
        }
    }

    /**
     * Index of the symbol for link-time address {@code vaddr}: the one whose [value, value+size)
     * holds it, or the nearest preceding one if that has no size; -1 otherwise.
     */
    public int indexOf(long vaddr) {
        int i = ParallelSort.floor(values, count, vaddr);
        if (i < 0) return -1;
        long size = sizes.getLong(8 * i);
        if (size == 0 || vaddr - values.getLong(8 * i) < size) return i;
        for (int j = i - 1; j >= 0 && j >= i - ENCLOSING_SCAN; j--) {
            long sj = sizes.getLong(8 * j);
            if (sj != 0 && vaddr - values.getLong(8 * j) < sj) return j;
        }
        return -1;
    }

    public String name(int index) {
        return names.get(nameIdx.getInt(4 * index));
    }

    /** The function name for link-time address {@code vaddr}, or null. */
    public String lookup(long vaddr) {
        int i = indexOf(vaddr);
        return i < 0 ? null : name(i);
    }

    /** Link-time address of a file offset, through the PT_LOAD that holds it; -1 if none does. */
    public long fileOffsetToVaddr(long offset) {
        for (int i = 0; i < loadOffset.length; i++) {
            if (offset >= loadOffset[i] && offset - loadOffset[i] < loadFilesz[i]) {
                return offset - loadOffset[i] + loadVaddr[i];
            }
        }
        return -1;
    }

    /** File offset of a link-time address inside a PT_LOAD's file part; -1 if none holds it. */
    public long vaddrToFileOffset(long vaddr) {
        for (int i = 0; i < loadVaddr.length; i++) {
            if (vaddr >= loadVaddr[i] && vaddr - loadVaddr[i] < loadFilesz[i]) {
                return vaddr - loadVaddr[i] + loadOffset[i];
            }
        }
        return -1;
    }

    /**
     * Load bias (runtime address minus link-time address) given one mapping of this file:
     * the PT_LOAD whose p_offset lies inside [mapOffset, mapOffset+mapLength) is mapped at
     * mapStart + p_offset - mapOffset. Long.MIN_VALUE if no PT_LOAD starts in that mapping.
     */
    public long loadBias(long mapStart, long mapOffset, long mapLength) {
        for (int i = 0; i < loadOffset.length; i++) {
            if (loadOffset[i] >= mapOffset && loadOffset[i] - mapOffset < mapLength) {
                return mapStart + loadOffset[i] - mapOffset - loadVaddr[i];
            }
        }
        return Long.MIN_VALUE;
    }

    /** Number of distinct function addresses. */
    public int size() {
        return count;
    }

    /** The separate debug file whose symbols were merged in, or null. */
    public Path debugFile() {
        return debugFile;
    }

    /** Link-time address of symbol {@code index} (for tests and diagnostics). */
    public long value(int index) {
        return values.getLong(8 * index);
    }
}
