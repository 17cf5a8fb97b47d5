package io.kfr.collectors.workingset;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/**
 * The working-set file: small (page ranges as variable-length deltas), versioned (a reader refuses
 * a version it does not know), checked (CRC-32 over the body: a torn or damaged file is refused, not
 * half-used) and written atomically (a temporary file in the same directory, forced to disk, then
 * renamed over the old one).
 *
 * <pre>
 * magic "KFRWSET\n"  u16 version  u32 body length  body  u32 crc32(body)
 * body: i64 recordedAtMillis, varint files, per file:
 *   utf path, varint size, i64 mtimeNanos, varint inode, varint device, varint ranges,
 *   per range: varint (first - previous end), varint count
 * </pre>
 */
public final class WorkingSetFormat {
    static final byte[] MAGIC = "KFRWSET\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    public static final int VERSION = 1;
    private static final int MAX_BODY = 256 << 20;

    private WorkingSetFormat() {
    }

    public static void write(WorkingSet set, Path file) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(body);
        out.writeLong(set.recordedAtMillis());
        writeVar(out, set.files().size());
        for (FileSet f : set.files()) {
            out.writeUTF(f.path());
            writeVar(out, f.size());
            out.writeLong(f.mtimeNanos());
            writeVar(out, f.inode());
            writeVar(out, f.device());
            writeVar(out, f.ranges().size());
            long end = 0;
            for (PageRange r : f.ranges()) {
                if (r.first() < end) {
                    throw new IllegalArgumentException(f.path() + ": ranges not sorted and merged");
                }
                writeVar(out, r.first() - end);
                writeVar(out, r.count());
                end = r.end();
            }
        }
        out.flush();
        byte[] b = body.toByteArray();
        CRC32 crc = new CRC32();
        crc.update(b);
        ByteBuffer all = ByteBuffer.allocate(MAGIC.length + 2 + 4 + b.length + 4);
        all.put(MAGIC).putShort((short) VERSION).putInt(b.length).put(b).putInt((int) crc.getValue()).flip();

        Path dir = file.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                while (all.hasRemaining()) {
                    ch.write(all);
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot replace " + file + " atomically: " + e.getMessage(), e);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    public static WorkingSet read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString());
        }
    }

    static WorkingSet read(InputStream raw, String name) throws IOException {
        DataInputStream in = new DataInputStream(raw);
        byte[] magic = new byte[MAGIC.length];
        try {
            in.readFully(magic);
            if (!java.util.Arrays.equals(magic, MAGIC)) {
                throw new IOException(name + " is not a kfr working-set file");
            }
            int version = in.readUnsignedShort();
            if (version != VERSION) {
                throw new IOException(name + " is a working-set file of version " + version + "; this kfr reads version " + VERSION);
            }
            int length = in.readInt();
            if (length < 0 || length > MAX_BODY) {
                throw new IOException(name + ": damaged working-set file (body of " + length + " bytes)");
            }
            byte[] b = new byte[length];
            in.readFully(b);
            int stored = in.readInt();
            CRC32 crc = new CRC32();
            crc.update(b);
            if ((int) crc.getValue() != stored) {
                throw new IOException(name + ": damaged working-set file (checksum)");
            }
            return body(new DataInputStream(new java.io.ByteArrayInputStream(b)), name);
        } catch (EOFException e) {
            throw new IOException(name + ": truncated working-set file", e);
        }
    }

    private static WorkingSet body(DataInputStream in, String name) throws IOException {
        long at = in.readLong();
        int files = (int) readVar(in);
        List<FileSet> list = new ArrayList<>(Math.min(files, 1 << 16));
        for (int i = 0; i < files; i++) {
            String path = in.readUTF();
            long size = readVar(in);
            long mtime = in.readLong();
            long inode = readVar(in);
            long device = readVar(in);
            int n = (int) readVar(in);
            List<PageRange> ranges = new ArrayList<>(Math.min(n, 1 << 16));
            long end = 0;
            for (int k = 0; k < n; k++) {
                long first = end + readVar(in);
                long count = readVar(in);
                if (count <= 0) {
                    throw new IOException(name + ": damaged working-set file (empty range)");
                }
                ranges.add(new PageRange(first, count));
                end = first + count;
            }
            list.add(new FileSet(path, size, mtime, inode, device, ranges));
        }
        return new WorkingSet(at, list);
    }

    private static void writeVar(OutputStream out, long v) throws IOException {
        if (v < 0) {
            throw new IllegalArgumentException("negative " + v);
        }
        while ((v & ~0x7fL) != 0) {
            out.write((int) ((v & 0x7f) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }

    private static long readVar(DataInputStream in) throws IOException {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = in.readUnsignedByte();
            v |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        throw new IOException("damaged working-set file (varint)");
    }
}
