package io.kfr.collectors.pt;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** libkfr_pt.so loads from the jar with libipt 2, and a machine without libipt says so in one line. */
class PtDecodeLibraryTest {
    @TempDir
    Path dir;

    @Test
    void loadsFromTheJarWithLibipt2() {
        assertNull(PtNative.load());
        assertTrue(PtNative.isLoaded());
        assertTrue(PtNative.libiptVersion().startsWith("2."), PtNative.libiptVersion());
    }

    @Test
    void withoutLibiptTheReasonIsOneLineWithTheFix() throws Exception {
        byte[] lib;
        try (InputStream in = PtNative.class.getResourceAsStream(PtNative.RESOURCE)) {
            assertNotNull(in, "libkfr_pt.so in the native jar");
            lib = in.readAllBytes();
        }
        // the same library needing a libipt that no machine has: what a machine without libipt2 sees
        byte[] needed = "libipt.so.2".getBytes(StandardCharsets.US_ASCII);
        int replaced = 0;
        for (int i = 0; i + needed.length <= lib.length; i++) {
            int j = 0;
            while (j < needed.length && lib[i + j] == needed[j]) {
                j++;
            }
            if (j == needed.length) {
                lib[i + needed.length - 1] = '0';
                replaced++;
            }
        }
        assertTrue(replaced > 0, "libkfr_pt.so names libipt.so.2 (DT_NEEDED)");
        Path copy = Files.write(dir.resolve("libkfr_pt.so"), lib);
        UnsatisfiedLinkError e = assertThrows(UnsatisfiedLinkError.class, () -> System.load(copy.toString()));
        assertTrue(e.getMessage().contains("libipt.so.0"), e.getMessage());
        String line = PtNative.reason(e.getMessage());
        assertEquals("pt: libipt.so.2 (Intel PT decoder library) is missing: apt-get install libipt2", line);
    }
}
