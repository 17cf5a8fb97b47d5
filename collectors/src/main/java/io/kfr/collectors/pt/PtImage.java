package io.kfr.collectors.pt;

/**
 * The code a trace ran over: the ELF files mapped in this process (read from their files when
 * decoding) and JIT code copied out of the code heap at snapshot time (JIT code is rewritten and
 * freed while the JVM runs: a trace must be decoded over the bytes of when it was taken), and what
 * the JVMTI sideband says of that code's times ({@link #addSideband}). Not
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

    /**
     * Bytes that were at an address for the trace times (TSC) in [fromTsc, untilTsc): code freed
     * since. A trace read at such a time reads these bytes, whatever the image has there otherwise.
     */
    public synchronized void addVersion(long address, byte[] code, long fromTsc, long untilTsc) {
        if (PtNative.imageAddVersion(live(), address, code, fromTsc, untilTsc) != 0) {
            throw new IllegalArgumentException("pt image: cannot add a version of " + code.length + " bytes at 0x" + Long.toHexString(address));
        }
    }

    /**
     * The bytes of [address, address + size) changed at trace time (TSC) tsc: a trace older than
     * that is not decoded there (unless a version of its time was added): the decoder stops with
     * "code changed after trace".
     */
    public synchronized void addChange(long address, long size, long tsc) {
        if (PtNative.imageAddChange(live(), address, size, tsc) != 0) {
            throw new IllegalArgumentException("pt image: cannot add a change at 0x" + Long.toHexString(address));
        }
    }

    /**
     * Adds what the JVMTI sideband recorded ({@link PtSideband}): the code freed since its start
     * (as versions) and every compile, stub and unload since (as changes). Returns the entries
     * added; 0 when the sideband does not run.
     */
    public synchronized int addSideband() {
        if (!PtSideband.running()) {
            return 0;
        }
        int n = PtNative.imageAddSideband(live());
        if (n < 0) {
            throw new OutOfMemoryError("pt image: sideband");
        }
        return n;
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
