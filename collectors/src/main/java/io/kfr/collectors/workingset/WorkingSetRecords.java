package io.kfr.collectors.workingset;

import io.kfr.collectors.natives.Buffers;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/** Decoder of native/src/workingset/workingset_records.h (change both together). */
public final class WorkingSetRecords {
    static final int REC_FILE = 1;
    static final int REC_MISS = 2;
    static final int REC_WAIT = 3;
    static final int PATH_BYTES = 1024;
    /** Record sizes by kind (struct kfr_ws_*_rec): records come back to back. */
    static final int FILE_BYTES = 32 + 1024 + 256;
    static final int MISS_BYTES = 64;
    static final int WAIT_BYTES = 48;
    /** Offsets (checked against the C header by WorkingSetRecordsTest). */
    static final int F_PATH_LEN = 4;
    static final int F_DEV = 8;
    static final int F_INO = 16;
    static final int F_COMPLETE = 24;
    static final int F_PATH = 32;
    static final int M_TID = 4;
    static final int M_TS = 8;
    static final int M_DEV = 16;
    static final int M_INO = 24;
    static final int M_INDEX = 32;
    static final int M_PAGES = 40;
    static final int M_USTACK = 44;
    static final int M_KSTACK = 48;
    static final int M_JAVA = 56;
    static final int W_TID = 4;
    static final int W_START = 8;
    static final int W_DURATION = 16;
    static final int W_DEV = 24;
    static final int W_INO = 32;
    static final int W_INDEX = 40;
    /** A page-set entry as the collector's chunks() copies it: key (dev, ino, chunk) then value (pages, missed). */
    static final int CHUNK_KEY_BYTES = 24;
    static final int CHUNK_ENTRY_BYTES = 40;

    public static final int CNT_EVENTS = 0;
    public static final int CNT_CHUNK_FULL = 1;
    public static final int CNT_RB_FULL = 2;
    public static final int CNT_FILES = 3;
    public static final int CNT_MISSES = 4;
    public static final int CNT_WAITS = 5;
    public static final int CNT_RANGE_CUT = 6;
    public static final int CNT_WRITE_ADDS = 7;
    public static final int CNT_JAVA_WALK = 8;
    public static final int CNT_JAVA_WALK_NS = 9;
    public static final int CNT_JAVA_FRAMES = 10;
    public static final int CNT_JAVA_FROM_REGS = 11;
    public static final int CNT_JAVA_NO_ANCHOR = 12;
    public static final int CNT_JAVA_BROKEN = 13;
    public static final int CNT_JAVA_SENT = 14;
    public static final int CNT_JAVA_LOST = 15;
    public static final int CNT_NR = 16;
    /** After the counters: run count and run time of the miss program, then of all the programs (and their recursion misses). */
    public static final int STAT_MISS_RUNS = CNT_NR;
    public static final int STAT_MISS_RUN_NS = CNT_NR + 1;
    public static final int STAT_RUNS = CNT_NR + 2;
    public static final int STAT_RUN_NS = CNT_NR + 3;
    public static final int STAT_RECURSION_MISSES = CNT_NR + 4;
    public static final int STAT_LEN = CNT_NR + 5;

    private WorkingSetRecords() {
    }

    /** First sight of a file: its path within its filesystem ("/" + components), complete when it reached the root. */
    public static final class FileSeen {
        private final long device;
        private final long inode;
        private final String pathInFs;
        private final boolean complete;

        public FileSeen(long device, long inode, String pathInFs, boolean complete) {
            this.device = device;
            this.inode = inode;
            this.pathInFs = pathInFs;
            this.complete = complete;
        }

        public long device() {
            return device;
        }

        public long inode() {
            return inode;
        }

        public String pathInFs() {
            return pathInFs;
        }

        public boolean complete() {
            return complete;
        }

        @Override
        public boolean equals(Object other) {
            if (this == other) {
                return true;
            }
            if (!(other instanceof FileSeen)) {
                return false;
            }
            FileSeen o = (FileSeen) other;
            return device == o.device && inode == o.inode && Objects.equals(pathInFs, o.pathInFs)
                    && complete == o.complete;
        }

        @Override
        public int hashCode() {
            int h = 0;
            h = 31 * h + Long.hashCode(device);
            h = 31 * h + Long.hashCode(inode);
            h = 31 * h + Objects.hashCode(pathInFs);
            h = 31 * h + Boolean.hashCode(complete);
            return h;
        }

        @Override
        public String toString() {
            return "FileSeen[device=" + device + ", inode=" + inode + ", pathInFs=" + pathInFs
                    + ", complete=" + complete + "]";
        }
    }

    /**
     * A thread of the target brought pages first .. first + pages - 1 into the page cache; javaRef:
     * its Java stack (io.kfr.collectors.stacks.JavaStacks#frames).
     */
    public static final class Miss {
        private final int tid;
        private final long timeNs;
        private final long device;
        private final long inode;
        private final long firstPage;
        private final int pages;
        private final int userStackId;
        private final int kernelStackId;
        private final long javaRef;

        public Miss(int tid, long timeNs, long device, long inode, long firstPage, int pages, int userStackId,
                    int kernelStackId, long javaRef) {
            this.tid = tid;
            this.timeNs = timeNs;
            this.device = device;
            this.inode = inode;
            this.firstPage = firstPage;
            this.pages = pages;
            this.userStackId = userStackId;
            this.kernelStackId = kernelStackId;
            this.javaRef = javaRef;
        }

        public int tid() {
            return tid;
        }

        public long timeNs() {
            return timeNs;
        }

        public long device() {
            return device;
        }

        public long inode() {
            return inode;
        }

        public long firstPage() {
            return firstPage;
        }

        public int pages() {
            return pages;
        }

        public int userStackId() {
            return userStackId;
        }

        public int kernelStackId() {
            return kernelStackId;
        }

        public long javaRef() {
            return javaRef;
        }

        @Override
        public boolean equals(Object other) {
            if (this == other) {
                return true;
            }
            if (!(other instanceof Miss)) {
                return false;
            }
            Miss o = (Miss) other;
            return tid == o.tid && timeNs == o.timeNs && device == o.device && inode == o.inode
                    && firstPage == o.firstPage && pages == o.pages && userStackId == o.userStackId
                    && kernelStackId == o.kernelStackId && javaRef == o.javaRef;
        }

        @Override
        public int hashCode() {
            int h = 0;
            h = 31 * h + Integer.hashCode(tid);
            h = 31 * h + Long.hashCode(timeNs);
            h = 31 * h + Long.hashCode(device);
            h = 31 * h + Long.hashCode(inode);
            h = 31 * h + Long.hashCode(firstPage);
            h = 31 * h + Integer.hashCode(pages);
            h = 31 * h + Integer.hashCode(userStackId);
            h = 31 * h + Integer.hashCode(kernelStackId);
            h = 31 * h + Long.hashCode(javaRef);
            return h;
        }

        @Override
        public String toString() {
            return "Miss[tid=" + tid + ", timeNs=" + timeNs + ", device=" + device + ", inode=" + inode
                    + ", firstPage=" + firstPage + ", pages=" + pages + ", userStackId=" + userStackId
                    + ", kernelStackId=" + kernelStackId + ", javaRef=" + javaRef + "]";
        }
    }

    /** A thread slept uninterruptibly right after its miss of (device, inode, page). */
    public static final class Wait {
        private final int tid;
        private final long startNs;
        private final long durationNs;
        private final long device;
        private final long inode;
        private final long page;

        public Wait(int tid, long startNs, long durationNs, long device, long inode, long page) {
            this.tid = tid;
            this.startNs = startNs;
            this.durationNs = durationNs;
            this.device = device;
            this.inode = inode;
            this.page = page;
        }

        public int tid() {
            return tid;
        }

        public long startNs() {
            return startNs;
        }

        public long durationNs() {
            return durationNs;
        }

        public long device() {
            return device;
        }

        public long inode() {
            return inode;
        }

        public long page() {
            return page;
        }

        @Override
        public boolean equals(Object other) {
            if (this == other) {
                return true;
            }
            if (!(other instanceof Wait)) {
                return false;
            }
            Wait o = (Wait) other;
            return tid == o.tid && startNs == o.startNs && durationNs == o.durationNs && device == o.device
                    && inode == o.inode && page == o.page;
        }

        @Override
        public int hashCode() {
            int h = 0;
            h = 31 * h + Integer.hashCode(tid);
            h = 31 * h + Long.hashCode(startNs);
            h = 31 * h + Long.hashCode(durationNs);
            h = 31 * h + Long.hashCode(device);
            h = 31 * h + Long.hashCode(inode);
            h = 31 * h + Long.hashCode(page);
            return h;
        }

        @Override
        public String toString() {
            return "Wait[tid=" + tid + ", startNs=" + startNs + ", durationNs=" + durationNs + ", device=" + device
                    + ", inode=" + inode + ", page=" + page + "]";
        }
    }

    /** Hands each record of a poll buffer (whole records back to back, sized by their kind) to sink. */
    public static void decode(ByteBuffer buf, int length, Sink sink) {
        ByteBuffer b = buf.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int r = 0;
        while (r + 4 <= length) {
            int kind = b.getInt(r);
            if (kind == REC_FILE) {
                sink.file(file(b, r));
                r += FILE_BYTES;
            } else if (kind == REC_MISS) {
                sink.miss(new Miss(b.getInt(r + M_TID), b.getLong(r + M_TS), b.getLong(r + M_DEV), b.getLong(r + M_INO),
                        b.getLong(r + M_INDEX), b.getInt(r + M_PAGES), b.getInt(r + M_USTACK), b.getInt(r + M_KSTACK),
                        b.getLong(r + M_JAVA)));
                r += MISS_BYTES;
            } else if (kind == REC_WAIT) {
                sink.waited(new Wait(b.getInt(r + W_TID), b.getLong(r + W_START), b.getLong(r + W_DURATION),
                        b.getLong(r + W_DEV), b.getLong(r + W_INO), b.getLong(r + W_INDEX)));
                r += WAIT_BYTES;
            } else {
                throw new IllegalStateException("workingset: unknown record kind " + kind + " at " + r);
            }
        }
    }

    private static FileSeen file(ByteBuffer b, int r) {
        int len = Math.min(b.getInt(r + F_PATH_LEN), PATH_BYTES);
        long dev = b.getLong(r + F_DEV);
        long ino = b.getLong(r + F_INO);
        boolean complete = b.getInt(r + F_COMPLETE) == 1;
        byte[] path = new byte[len];
        Buffers.get(b, r + F_PATH, path);
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
