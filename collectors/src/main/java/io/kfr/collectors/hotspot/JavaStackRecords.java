package io.kfr.collectors.hotspot;

/**
 * Layout of the Java stack records of the kernel's HotSpot walker (struct kfr_java_stack and
 * struct kfr_java_frame in native/src/hotspot/java_stack_records.h), shared by every collector
 * with Java frames. JavaStackRecordsTest checks it against the C header libkfr.so was built with.
 */
public final class JavaStackRecords {
    /** Record: a 16-byte header (id, tid, n, flags), then n frames, innermost first. */
    public static final int HDR = 16;
    public static final int ID = 0;
    public static final int TID = 8;
    public static final int N = 12;
    public static final int FLAGS = 14;
    public static final int MAX_FRAMES = 256;
    /** Frame: ref (Method* or CodeBlob*), value (kind << KIND_SHIFT | x), cookie. */
    public static final int FRAME_SIZE = 16;
    public static final int FRAME_REF = 0;
    public static final int FRAME_VALUE = 8;
    public static final int FRAME_COOKIE = 12;
    /** The largest record. */
    public static final int MAX_SIZE = HDR + MAX_FRAMES * FRAME_SIZE;

    /** java_ref markers (KFR_JAVA_*): ids of real stacks are never below 16. */
    public static final long JAVA_NONE = 0;
    public static final long JAVA_NO_ANCHOR = 1;
    public static final long JAVA_LOST = 2;
    public static final long JAVA_UNVERIFIED = 3;

    /** Frame kinds (value >>> KIND_SHIFT), KFR_JF_*. */
    public static final int KIND_SHIFT = 28;
    public static final int KIND_INTERPRETED = 1;
    public static final int KIND_COMPILED = 2;
    public static final int KIND_STUB = 3;
    public static final int KIND_TRUNCATED = 4;
    public static final int KIND_BROKEN = 5;
    public static final int KIND_COMPILED_PC = 6;

    private JavaStackRecords() {
    }
}
