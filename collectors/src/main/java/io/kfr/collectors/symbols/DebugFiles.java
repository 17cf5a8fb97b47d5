package io.kfr.collectors.symbols;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32;

/**
 * Finds the separate debug file of a stripped library, as gdb does: by build-id under
 * /usr/lib/debug/.build-id/, then by .gnu_debuglink next to the file, in its .debug/, and under
 * /usr/lib/debug/. A candidate must carry the same build-id (or, without one, match the CRC).
 */
final class DebugFiles {
    private final Path root;

    DebugFiles(Path root) {
        this.root = root;
    }

    static final DebugFiles SYSTEM = new DebugFiles(Path.of("/usr/lib/debug"));

    /** The debug file for {@code file}, or null. Never throws. */
    Path find(Path file, ElfFile elf) {
        try {
            byte[] id = elf.buildId();
            if (id != null && id.length >= 2) {
                String hex = hex(id);
                Path p = root.resolve(".build-id").resolve(hex.substring(0, 2)).resolve(hex.substring(2) + ".debug");
                if (Files.isRegularFile(p) && matches(p, id, null)) return p;
            }
            ElfFile.DebugLink link = elf.debugLink();
            if (link == null) return null;
            Path dir = file.toAbsolutePath().getParent();
            if (dir == null) return null;
            Path[] candidates = {
                    dir.resolve(link.name()),
                    dir.resolve(".debug").resolve(link.name()),
                    root.resolve(root.getRoot().relativize(dir)).resolve(link.name()),
            };
            for (Path p : candidates) {
                if (Files.isRegularFile(p) && !Files.isSameFile(p, file) && matches(p, id, link)) return p;
            }
        } catch (IOException | RuntimeException e) {
            // no debug file: the library's own symbols still count
        }
        return null;
    }

    private static String hex(byte[] bytes) {
        StringBuilder s = new StringBuilder(2 * bytes.length);
        for (byte b : bytes) {
            s.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
        }
        return s.toString();
    }

    private static boolean matches(Path debug, byte[] id, ElfFile.DebugLink link) throws IOException {
        if (id != null) {
            try (ElfFile d = ElfFile.open(debug)) {
                byte[] did = d.buildId();
                if (did != null) return Arrays.equals(id, did);
            }
        }
        return link != null && crc32(debug) == link.crc(); // no build-ids to compare
    }

    private static int crc32(Path p) throws IOException {
        CRC32 crc = new CRC32();
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(p)) {
            for (int n; (n = in.read(buf)) > 0; ) crc.update(buf, 0, n);
        }
        return (int) crc.getValue();
    }
}
