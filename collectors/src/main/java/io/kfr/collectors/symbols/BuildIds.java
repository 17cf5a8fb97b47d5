package io.kfr.collectors.symbols;

import java.io.IOException;
import java.nio.file.Path;

/** The GNU build-id of an ELF file, as hex: what identifies one build of a library. */
public final class BuildIds {
    private BuildIds() {
    }

    /** The build-id of {@code file} in lower-case hex, or null if it has none or cannot be read. */
    public static String of(Path file) {
        try (ElfFile elf = ElfFile.open(file)) {
            byte[] id = elf.buildId();
            if (id == null || id.length == 0) {
                return null;
            }
            StringBuilder hex = new StringBuilder(2 * id.length);
            for (byte b : id) {
                hex.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
            }
            return hex.toString();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
