package io.kfr.collectors.workingset;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Decoder of native/src/workingset/workingset_records.h (change both together). */
public final class WorkingSetRecords {
    static final int REC_FILE = 1;
    static final int REC_MISS = 2;
    static final int REC_WAIT = 3;
    static final int PATH_BYTES = 1024;
    /** Record sizes by kind (struct kfr_ws_*_rec): records come back to back. */
    static final int FILE_BYTES = 32 + 1024 + 256;
    static final int MISS_BYTES = 56;
    static final int WAIT_BYTES = 48;
    static final int CHUNK_ENTRY_BYTES = 40;

    public static final int CNT_EVENTS = 0;
    public static final int CNT_CHUNK_FULL = 1;
    public static final int CNT_RB_FULL = 2;
    public static final int CNT_FILES = 3;
    public static final int CNT_MISSES = 4;
    public static final int CNT_WAITS = 5;
    public static final int CNT_RANGE_CUT = 6;
    public static final int CNT_NR = 8;

    private WorkingSetRecords() {
    }

    /** First sight of a file: its path within its filesystem ("/" + components), complete when it reached the root. */
    public record FileSeen(long device, long inode, String pathInFs, boolean complete) {
    }

    /** A thread of the target brought pages first .. first + pages - 1 into the page cache. */
    public record Miss(int tid, long timeNs, long device, long inode, long firstPage, int pages, int userStackId, int kernelStackId) {
    }

    /** A thread slept uninterruptibly right after its miss of (device, inode, page). */
    public record Wait(int tid, long startNs, long durationNs, long device, long inode, long page) {
    }

    /** Hands each record of a poll buffer (whole records back to back, sized by their kind) to sink. */
    public static void decode(ByteBuffer buf, int length, Sink sink) {
        ByteBuffer b = buf.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int r = 0;
        while (r + 4 <= length) {
            switch (b.getInt(r)) {
                case REC_FILE -> {
                    sink.file(file(b, r));
                    r += FILE_BYTES;
                }
                case REC_MISS -> {
                    sink.miss(new Miss(b.getInt(r + 4), b.getLong(r + 8), b.getLong(r + 16), b.getLong(r + 24),
                            b.getLong(r + 32), b.getInt(r + 40), b.getInt(r + 44), b.getInt(r + 48)));
                    r += MISS_BYTES;
                }
                case REC_WAIT -> {
                    sink.waited(new Wait(b.getInt(r + 4), b.getLong(r + 8), b.getLong(r + 16), b.getLong(r + 24),
                            b.getLong(r + 32), b.getLong(r + 40)));
                    r += WAIT_BYTES;
                }
                default -> throw new IllegalStateException("workingset: unknown record kind " + b.getInt(r) + " at " + r);
            }
        }
    }

    private static FileSeen file(ByteBuffer b, int r) {
        int len = Math.min(b.getInt(r + 4), PATH_BYTES);
        long dev = b.getLong(r + 8);
        long ino = b.getLong(r + 16);
        boolean complete = b.getInt(r + 24) == 1;
        byte[] path = new byte[len];
        b.get(r + 32, path);
        List<String> parts = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < len; i++) {
            if (path[i] == 0) {
                parts.add(new String(path, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        Collections.reverse(parts);
        return new FileSeen(dev, ino, "/" + String.join("/", parts), complete);
    }

    /** Receiver of decoded records. */
    public interface Sink {
        void file(FileSeen f);

        void miss(Miss m);

        void waited(Wait w);
    }
}
