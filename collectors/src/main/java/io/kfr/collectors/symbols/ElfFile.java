package io.kfr.collectors.symbols;

import io.kfr.collectors.natives.Buffers;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The headers of one ELF64 little-endian file (x86_64): program headers, section headers, notes.
 * Reads with positional FileChannel reads into short-lived heap buffers (no mapping lingers in the
 * process until a GC), or from an in-memory image (the vDSO).
 */
final class ElfFile implements Closeable {
    static final int PT_LOAD = 1;
    static final int PT_NOTE = 4;
    static final int SHT_SYMTAB = 2;
    static final int SHT_NOTE = 7;
    static final int SHT_NOBITS = 8;
    static final int SHT_DYNSYM = 11;
    static final long SHF_COMPRESSED = 0x800;
    private static final int MAX_READ = 512 << 20;

    static final class Segment {
        private final int type;
        private final int flags;
        private final long offset;
        private final long vaddr;
        private final long filesz;
        private final long memsz;

        Segment(int type, int flags, long offset, long vaddr, long filesz, long memsz) {
            this.type = type;
            this.flags = flags;
            this.offset = offset;
            this.vaddr = vaddr;
            this.filesz = filesz;
            this.memsz = memsz;
        }

        public int type() {
            return type;
        }

        public int flags() {
            return flags;
        }

        public long offset() {
            return offset;
        }

        public long vaddr() {
            return vaddr;
        }

        public long filesz() {
            return filesz;
        }

        public long memsz() {
            return memsz;
        }

        @Override
        public boolean equals(Object other) {
            if (this == other) {
                return true;
            }
            if (!(other instanceof Segment)) {
                return false;
            }
            Segment o = (Segment) other;
            return type == o.type && flags == o.flags && offset == o.offset && vaddr == o.vaddr && filesz == o.filesz
                    && memsz == o.memsz;
        }

        @Override
        public int hashCode() {
            int h = 0;
            h = 31 * h + Integer.hashCode(type);
            h = 31 * h + Integer.hashCode(flags);
            h = 31 * h + Long.hashCode(offset);
            h = 31 * h + Long.hashCode(vaddr);
            h = 31 * h + Long.hashCode(filesz);
            h = 31 * h + Long.hashCode(memsz);
            return h;
        }

        @Override
        public String toString() {
            return "Segment[type=" + type + ", flags=" + flags + ", offset=" + offset + ", vaddr=" + vaddr
                    + ", filesz=" + filesz + ", memsz=" + memsz + "]";
        }
    }

    static final class Section {
        private final String name;
        private final int type;
        private final long flags;
        private final long offset;
        private final long size;
        private final int link;
        private final long entsize;

        Section(String name, int type, long flags, long offset, long size, int link, long entsize) {
            this.name = name;
            this.type = type;
            this.flags = flags;
            this.offset = offset;
            this.size = size;
            this.link = link;
            this.entsize = entsize;
        }

        public String name() {
            return name;
        }

        public int type() {
            return type;
        }

        public long flags() {
            return flags;
        }

        public long offset() {
            return offset;
        }

        public long size() {
            return size;
        }

        public int link() {
            return link;
        }

        public long entsize() {
            return entsize;
        }

        @Override
        public boolean equals(Object other) {
            if (this == other) {
                return true;
            }
            if (!(other instanceof Section)) {
                return false;
            }
            Section o = (Section) other;
            return Objects.equals(name, o.name) && type == o.type && flags == o.flags && offset == o.offset
                    && size == o.size && link == o.link && entsize == o.entsize;
        }

        @Override
        public int hashCode() {
            int h = 0;
            h = 31 * h + Objects.hashCode(name);
            h = 31 * h + Integer.hashCode(type);
            h = 31 * h + Long.hashCode(flags);
            h = 31 * h + Long.hashCode(offset);
            h = 31 * h + Long.hashCode(size);
            h = 31 * h + Integer.hashCode(link);
            h = 31 * h + Long.hashCode(entsize);
            return h;
        }

        @Override
        public String toString() {
            return "Section[name=" + name + ", type=" + type + ", flags=" + flags + ", offset=" + offset
                    + ", size=" + size + ", link=" + link + ", entsize=" + entsize + "]";
        }
    }

    private final FileChannel channel; // null for an image
    private final ByteBuffer image; // null for a file
    private final long size;
    final int elfType;
    final List<Segment> segments = new ArrayList<>();
    final List<Section> sections = new ArrayList<>();

    private ElfFile(FileChannel channel, ByteBuffer image) throws IOException {
        this.channel = channel;
        this.image = image;
        this.size = channel != null ? channel.size() : image.capacity();
        ByteBuffer h = read(0, 64);
        if (h.getInt(0) != 0x464c457f) throw new IOException("not an ELF file");
        if (h.get(4) != 2) throw new IOException("not ELF64");
        if (h.get(5) != 1) throw new IOException("not little-endian");
        elfType = h.getShort(16) & 0xffff;
        long phoff = h.getLong(0x20);
        long shoff = h.getLong(0x28);
        int phentsize = h.getShort(0x36) & 0xffff;
        int phnum = h.getShort(0x38) & 0xffff;
        int shentsize = h.getShort(0x3a) & 0xffff;
        int shnum = h.getShort(0x3c) & 0xffff;
        int shstrndx = h.getShort(0x3e) & 0xffff;
        if (phnum > 0 && phentsize >= 56) {
            ByteBuffer ph = read(phoff, phnum * phentsize);
            for (int i = 0; i < phnum; i++) {
                int o = i * phentsize;
                segments.add(new Segment(ph.getInt(o), ph.getInt(o + 4), ph.getLong(o + 8),
                        ph.getLong(o + 16), ph.getLong(o + 32), ph.getLong(o + 40)));
            }
        }
        if (shoff != 0 && shentsize >= 64) {
            if (shnum == 0 || shstrndx == 0xffff) { // extended numbering lives in section 0
                ByteBuffer s0 = read(shoff, 64);
                if (shnum == 0) shnum = (int) Math.min(s0.getLong(32), 65536);
                if (shstrndx == 0xffff) shstrndx = s0.getInt(40);
            }
            ByteBuffer sh = read(shoff, shnum * shentsize);
            ByteBuffer names = null;
            if (shstrndx > 0 && shstrndx < shnum) {
                int o = shstrndx * shentsize;
                names = read(sh.getLong(o + 24), (int) Math.min(sh.getLong(o + 32), 1 << 20));
            }
            for (int i = 0; i < shnum; i++) {
                int o = i * shentsize;
                String name = names == null ? "" : cString(names, sh.getInt(o));
                sections.add(new Section(name, sh.getInt(o + 4), sh.getLong(o + 8), sh.getLong(o + 24),
                        sh.getLong(o + 32), sh.getInt(o + 40), sh.getLong(o + 56)));
            }
        }
    }

    static ElfFile open(Path path) throws IOException {
        FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
        try {
            return new ElfFile(ch, null);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e instanceof IOException ? (IOException) e : new IOException(path + ": " + e, e);
        }
    }

    static ElfFile of(ByteBuffer image) throws IOException {
        try {
            return new ElfFile(null, image);
        } catch (RuntimeException e) {
            throw new IOException("bad ELF image: " + e, e);
        }
    }

    /** {@code len} bytes at file offset {@code off}, little-endian, position 0. */
    ByteBuffer read(long off, long len) throws IOException {
        if (off < 0 || len < 0 || len > MAX_READ || off + len > size) {
            throw new IOException("read outside the file: " + off + "+" + len + " > " + size);
        }
        ByteBuffer b;
        if (channel != null && len >= 64 * 1024) {
            // large parts (symbol and string tables, MBs for libjvm) are mapped, not copied into
            // the application's heap; the mapping goes when the buffer is collected
            b = channel.map(FileChannel.MapMode.READ_ONLY, off, len);
        } else if (channel != null) {
            b = ByteBuffer.allocate((int) len);
            while (b.hasRemaining()) {
                if (channel.read(b, off + b.position()) < 0) throw new IOException("short read");
            }
            b.flip();
        } else {
            b = Buffers.slice(image, (int) off, (int) len);
        }
        return b.order(ByteOrder.LITTLE_ENDIAN);
    }

    Section section(String name) {
        for (Section s : sections) {
            if (s.name().equals(name)) return s;
        }
        return null;
    }

    /** Bytes of a section that has data in this file, or null (absent, NOBITS, compressed). */
    ByteBuffer sectionData(Section s) throws IOException {
        if (s == null || s.type() == SHT_NOBITS || (s.flags() & SHF_COMPRESSED) != 0 || s.size() == 0) {
            return null;
        }
        return read(s.offset(), s.size());
    }

    /** The GNU build-id, from PT_NOTE segments or note sections; null if none. */
    byte[] buildId() throws IOException {
        for (Segment p : segments) {
            if (p.type() == PT_NOTE) {
                byte[] id = findBuildId(read(p.offset(), Math.min(p.filesz(), 1 << 16)));
                if (id != null) return id;
            }
        }
        for (Section s : sections) {
            if (s.type() == SHT_NOTE) {
                ByteBuffer b = sectionData(s);
                byte[] id = b == null ? null : findBuildId(b);
                if (id != null) return id;
            }
        }
        return null;
    }

    private static byte[] findBuildId(ByteBuffer b) {
        int p = 0;
        while (p + 12 <= b.limit()) {
            int namesz = b.getInt(p);
            int descsz = b.getInt(p + 4);
            int type = b.getInt(p + 8);
            int name = p + 12;
            int desc = name + align4(namesz);
            if (namesz < 0 || descsz < 0 || desc + descsz > b.limit()) return null;
            if (type == 3 && namesz == 4 && b.getInt(name) == 0x00554e47) { // NT_GNU_BUILD_ID, "GNU\0"
                byte[] id = new byte[descsz];
                Buffers.get(b, desc, id);
                return id;
            }
            p = desc + align4(descsz);
        }
        return null;
    }

    private static int align4(int n) {
        return (n + 3) & ~3;
    }

    /** .gnu_debuglink: the debug file's name and its CRC32; null if none. */
    DebugLink debugLink() throws IOException {
        ByteBuffer b = sectionData(section(".gnu_debuglink"));
        if (b == null) return null;
        String name = cString(b, 0);
        int crcAt = align4(name.getBytes(StandardCharsets.UTF_8).length + 1);
        if (name.isEmpty() || crcAt + 4 > b.limit()) return null;
        return new DebugLink(name, b.getInt(crcAt));
    }

    static final class DebugLink {
        private final String name;
        private final int crc;

        DebugLink(String name, int crc) {
            this.name = name;
            this.crc = crc;
        }

        public String name() {
            return name;
        }

        public int crc() {
            return crc;
        }

        @Override
        public boolean equals(Object other) {
            if (this == other) {
                return true;
            }
            if (!(other instanceof DebugLink)) {
                return false;
            }
            DebugLink o = (DebugLink) other;
            return Objects.equals(name, o.name) && crc == o.crc;
        }

        @Override
        public int hashCode() {
            int h = 0;
            h = 31 * h + Objects.hashCode(name);
            h = 31 * h + Integer.hashCode(crc);
            return h;
        }

        @Override
        public String toString() {
            return "DebugLink[name=" + name + ", crc=" + crc + "]";
        }
    }

    static String cString(ByteBuffer b, int pos) {
        if (pos < 0 || pos >= b.limit()) return "";
        int end = pos;
        while (end < b.limit() && b.get(end) != 0) end++;
        byte[] s = new byte[end - pos];
        Buffers.get(b, pos, s);
        return new String(s, StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        if (channel != null) channel.close();
    }
}
