package io.kfr.collectors.pt;

import io.kfr.collectors.natives.NativeLibrary;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Loads libkfr_pt.so (the PT decoder over libipt, and the PT perf path) once per JVM: from the
 * system property {@code kfr.pt.library} when set (development), otherwise extracted from the jar's
 * resource io/kfr/native/linux-x86-64/libkfr_pt.so into a private directory, as libkfr.so is. It is a library of its
 * own because libipt is a shared library only: a machine without libipt2 loses {@code pt}, nothing
 * else. Its failure is one line that names the fix.
 */
public final class PtNative {
    static final String RESOURCE = "/io/kfr/native/linux-x86-64/libkfr_pt.so";
    private static volatile boolean loaded;
    private static volatile String loadError;

    private PtNative() {
    }

    /** Loads the library; returns null on success or one line: what is missing and how to get it. */
    public static synchronized String load() {
        if (loaded) {
            return null;
        }
        if (loadError != null) {
            return loadError;
        }
        try {
            String arch = System.getProperty("os.arch");
            if (!"Linux".equals(System.getProperty("os.name")) || !("amd64".equals(arch) || "x86_64".equals(arch))) {
                throw new IOException("Intel PT decoding runs on Linux x86_64 only");
            }
            String override = System.getProperty("kfr.pt.library");
            Path lib = override != null ? Path.of(override).toAbsolutePath()
                    : NativeLibrary.extractCopy(RESOURCE, "libkfr_pt.so");
            System.load(lib.toString());
            libiptVersion();
            loaded = true;
            return null;
        } catch (IOException | SecurityException e) {
            loadError = "pt: cannot load libkfr_pt.so: " + e.getMessage();
        } catch (UnsatisfiedLinkError e) {
            loadError = reason(e.getMessage());
        }
        return loadError;
    }

    /** The one line for a failed System.load: libipt missing is the usual cause, and has one fix. */
    static String reason(String message) {
        String m = message == null ? "" : message;
        if (m.contains("libipt")) {
            return "pt: libipt.so.2 (Intel PT decoder library) is missing: apt-get install libipt2";
        }
        return "pt: cannot load libkfr_pt.so: " + m;
    }

    /** True once libkfr_pt is loaded in this JVM. */
    public static boolean isLoaded() {
        return loaded;
    }

    // --- libkfr_pt's decoder entry points (native/src/pt/pt_decode_jni.c) ---

    /** libipt's version, "major.minor.patch-build". */
    public static native String libiptVersion();

    /** A new empty image (its memory callback reads the copied code); 0 when out of memory. */
    static native long imageCreate();

    /** Adds every r-x file mapping of /proc/self/maps (and copies [vdso]); the sections added, or -1. */
    static native int imageAddSelfMappings(long image);

    /** Copies every anonymous executable mapping of this process (the JIT code heap); regions copied, or -1. */
    static native int imageCopyAnonymousCode(long image);

    /** Adds a named copy of code at an address; 0 or -1. */
    static native int imageAddCode(long image, long address, byte[] code, String name);

    /** Adds a file section: size bytes of the file from offset, loaded at address; 0 or a libipt error (negative). */
    static native int imageAddFile(long image, String path, long offset, long size, long address);

    /** Adds bytes that were at address for trace times (TSC) in [fromTsc, untilTsc); 0 or -1. */
    static native int imageAddVersion(long image, long address, byte[] code, long fromTsc, long untilTsc);

    /** Adds that the bytes of [address, address + size) changed at trace time tsc; 0 or -1. */
    static native int imageAddChange(long image, long address, long size, long tsc);

    /** Adds the JVMTI sideband's versions and changes (PtSideband); the entries added, or -1. */
    static native int imageAddSideband(long image);

    /** Bytes of code copied into the image (not counting file sections). */
    static native long imageCopiedBytes(long image);

    static native void imageFree(long image);

    /**
     * Decodes one trace. {@code trace} is a direct buffer (then {@code heap} is null) or null (then
     * the bytes are {@code heap}). Fills {@code stops} (per PtStops.NAMES) and {@code totals}
     * ({@link PtDecoder} names the slots); when {@code ips} is given, every decoded instruction's ip
     * goes there up to its length. Returns the segments packed, PtDecoder.SEGMENT_LONGS longs each.
     */
    static native long[] decode(long image, ByteBuffer trace, byte[] heap, int offset, int length, long[] cpu,
                                long maxInstructions, long maxMillis, int[] stops, long[] totals, long[] ips);
}
