package io.kfr.collectors.pt;

/**
 * The code a trace ran over: the ELF files mapped in this process (read from their files when
 * decoding) and JIT code copied out of the code heap at snapshot time (JIT code is rewritten and
 * freed while the JVM runs: a trace must be decoded over the bytes of when it was taken). Not
 * thread-safe; the decoder holds the image's lock while it reads it.
 */
public final class PtImage implements AutoCloseable {
    private long handle;
    private int copiedRegions;

    private PtImage(long handle) {
        this.handle = handle;
    }

    /** An empty image: add code with {@link #addCode} (tests, sideband). */
    public static PtImage empty() {
        String error = PtNative.load();
        if (error != null) {
            throw new IllegalStateException(error);
        }
        long h = PtNative.imageCreate();
        if (h == 0) {
            throw new OutOfMemoryError("pt image");
        }
        return new PtImage(h);
    }

    /** Every r-x file mapping of /proc/self/maps, and the vDSO. */
    public static PtImage ofThisProcess() {
        PtImage image = empty();
        PtNative.imageAddSelfMappings(image.handle);
        return image;
    }

    /**
     * Copies the JIT code of this process now: the resident pages of every anonymous executable
     * mapping, which in a HotSpot JVM is the committed code heap (nmethods, stubs, the
     * interpreter) and nothing else of note. Returns the mappings copied from (-1 when
     * /proc/self/maps could not be read); {@link #copiedBytes} says how much.
     */
    public synchronized int copyCodeHeap() {
        int n = PtNative.imageCopyAnonymousCode(live());
        if (n > 0) {
            copiedRegions += n;
        }
        return n;
    }

    /** A named copy of code at an address (later copies over the same bytes win). */
    public synchronized void addCode(long address, byte[] code, String name) {
        if (PtNative.imageAddCode(live(), address, code, name) != 0) {
            throw new IllegalArgumentException("pt image: cannot add " + code.length + " bytes at 0x" + Long.toHexString(address));
        }
    }

    /**
     * A file's bytes mapped at an address (another process's mapping, a sideband record): size
     * bytes of the file from offset, read from the file when decoding.
     */
    public synchronized void addFile(String path, long offset, long size, long address) {
        int rc = PtNative.imageAddFile(live(), path, offset, size, address);
        if (rc != 0) {
            throw new IllegalArgumentException("pt image: cannot add " + path + " (libipt error " + rc + ")");
        }
    }

    /** Bytes of code copied into this image so far. */
    public synchronized long copiedBytes() {
        return PtNative.imageCopiedBytes(live());
    }

    synchronized long live() {
        if (handle == 0) {
            throw new IllegalStateException("pt image closed");
        }
        return handle;
    }

    @Override
    public synchronized void close() {
        if (handle != 0) {
            PtNative.imageFree(handle);
            handle = 0;
        }
    }
}
