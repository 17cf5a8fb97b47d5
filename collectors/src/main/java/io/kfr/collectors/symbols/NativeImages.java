package io.kfr.collectors.symbols;


import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a profile needs to have its native frames symbolized again elsewhere (the idea of
 * {@code perf inject -b}): for each executable image that named a frame, where it was mapped and
 * its GNU build id, and for each native or kernel frame the run-time address of its function.
 * Filled by {@link ProcessMaps} and {@link KernelSymbols} as they make a frame, once per image and
 * once per function, so it holds only what was seen: a few hundred entries. Thread-safe.
 */
public final class NativeImages {
    /** The owner kernel frames carry (Frame.kernel). */
    public static final String KERNEL = "kernel";
    private static final Map<String, Image> IMAGES = new ConcurrentHashMap<>();

    private NativeImages() {
    }

    /** One executable mapping of an image. */
    public static final class Image {
        /** The frames' owner: the file name ("libc.so.6"), "kernel", "[vdso]". */
        public final String name;
        /** The mapped file's path; "[kernel.kallsyms]" for the kernel, "[vdso]". */
        public final String path;
        /** Lower-case hex; "" if the image has none or it could not be read. */
        public final String buildId;
        public final long start;
        public final long limit;
        public final long fileOffset;

        public Image(String name, String path, String buildId, long start, long limit, long fileOffset) {
            this.name = name;
            this.path = path;
            this.buildId = buildId == null ? "" : buildId;
            this.start = start;
            this.limit = limit;
            this.fileOffset = fileOffset;
        }
    }

    /** The first executable mapping seen of an image named {@code name} is the one kept. */
    static void image(Image image) {
        IMAGES.putIfAbsent(image.name, image);
    }

    /** The image frames owned by {@code name} come from, or null. */
    public static Image image(String name) {
        return IMAGES.get(name);
    }

    /** Every image seen so far. */
    public static List<Image> images() {
        return new ArrayList<>(IMAGES.values());
    }

    /**
     * The running kernel's GNU build id from /sys/kernel/notes (the kernel's ELF notes: namesz,
     * descsz, type, name, desc, each 4-byte aligned); "" if unreadable or absent.
     */
    public static String kernelBuildId() {
        return kernelBuildId(Path.of("/sys/kernel/notes"));
    }

    static String kernelBuildId(Path notes) {
        try {
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(notes)).order(ByteOrder.nativeOrder());
            while (b.remaining() >= 12) {
                int nameSize = b.getInt();
                int descSize = b.getInt();
                int type = b.getInt();
                int nameAt = b.position();
                int descAt = nameAt + align4(nameSize);
                if (nameSize < 0 || descSize < 0 || descAt + descSize > b.limit()) {
                    return "";
                }
                boolean gnu = nameSize == 4 && b.get(nameAt) == 'G' && b.get(nameAt + 1) == 'N' && b.get(nameAt + 2) == 'U';
                if (gnu && type == 3) { // NT_GNU_BUILD_ID
                    StringBuilder hex = new StringBuilder(2 * descSize);
                    for (int i = 0; i < descSize; i++) {
                        int v = b.get(descAt + i);
                        hex.append(Character.forDigit((v >> 4) & 0xf, 16)).append(Character.forDigit(v & 0xf, 16));
                    }
                    return hex.toString();
                }
                b.position(descAt + align4(descSize));
            }
        } catch (IOException | RuntimeException e) {
            // unreadable: no build id
        }
        return "";
    }

    private static int align4(int n) {
        return (n + 3) & ~3;
    }
}
