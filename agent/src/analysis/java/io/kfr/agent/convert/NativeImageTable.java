package io.kfr.agent.convert;

import java.util.HashMap;
import java.util.Map;

/**
 * kfr's kfr.NativeImage and kfr.NativeSymbol events of a recording: where each native image was
 * mapped with its build id, and the address of each native and kernel function, so that the
 * writers can give pprof's and OTLP's mappings and locations what a backend needs to symbolize the
 * frames again. Empty for recordings made before kfr wrote those events: the mappings then carry
 * the file name only.
 */
final class NativeImageTable {
    static final String NATIVE_IMAGE = "kfr.NativeImage";
    static final String NATIVE_SYMBOL = "kfr.NativeSymbol";
    /** The image name kfr's kernel frames carry. */
    private static final String KERNEL_IMAGE = "kernel";

    /** One executable mapping; buildId "" when unknown. */
    static final class Image {
        final String path;
        final String buildId;
        final long start;
        final long limit;
        final long fileOffset;

        Image(String path, String buildId, long start, long limit, long fileOffset) {
            this.path = path;
            this.buildId = buildId;
            this.start = start;
            this.limit = limit;
            this.fileOffset = fileOffset;
        }
    }

    private final Map<String, Image> images = new HashMap<>();
    private final Map<String, Long> addresses = new HashMap<>();

    void image(String name, String path, String buildId, long start, long limit, long fileOffset) {
        if (name != null) {
            images.putIfAbsent(name, new Image(path == null ? name : path, buildId == null ? "" : buildId, start, limit,
                    fileOffset));
        }
    }

    void symbol(String image, String symbol, long address) {
        if (image != null && symbol != null) {
            addresses.putIfAbsent(image + '\0' + symbol, address);
        }
    }

    /** The image a native or kernel frame's code is in, or null (a Java frame, an older recording). */
    Image imageOf(Frame f) {
        return f.kind() == Frame.Kind.JAVA ? null : images.get(imageName(f));
    }

    /** The run-time address of a native or kernel frame's function; 0 (pprof's "unknown") if not recorded. */
    long addressOf(Frame f) {
        if (f.kind() == Frame.Kind.JAVA) {
            return 0;
        }
        Long a = addresses.get(imageName(f) + '\0' + (f.systemName().isEmpty() ? f.name() : f.systemName()));
        return a == null ? 0 : a;
    }

    boolean isEmpty() {
        return images.isEmpty();
    }

    private static String imageName(Frame f) {
        return f.kind() == Frame.Kind.KERNEL ? KERNEL_IMAGE : f.library();
    }
}
