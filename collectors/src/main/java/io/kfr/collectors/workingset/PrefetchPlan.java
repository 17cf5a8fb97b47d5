package io.kfr.collectors.workingset;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * What a prefetch will read: the working set's files that are still the files recorded, in
 * (device, inode) order (the order ext4 and xfs allocate in, a proxy for the place on disk), each
 * file's ranges sorted and merged into large requests, all of it cut at a byte cap.
 */
public final class PrefetchPlan {
    private final List<Request> requests;
    private final List<String> skipped;
    private final long bytes;
    private final long capBytes;

    public PrefetchPlan(List<Request> requests, List<String> skipped, long bytes, long capBytes) {
        this.requests = requests;
        this.skipped = skipped;
        this.bytes = bytes;
        this.capBytes = capBytes;
    }

    public List<Request> requests() {
        return requests;
    }

    public List<String> skipped() {
        return skipped;
    }

    public long bytes() {
        return bytes;
    }

    public long capBytes() {
        return capBytes;
    }

    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof PrefetchPlan)) {
            return false;
        }
        PrefetchPlan o = (PrefetchPlan) other;
        return Objects.equals(requests, o.requests) && Objects.equals(skipped, o.skipped) && bytes == o.bytes
                && capBytes == o.capBytes;
    }

    @Override
    public int hashCode() {
        int h = 0;
        h = 31 * h + Objects.hashCode(requests);
        h = 31 * h + Objects.hashCode(skipped);
        h = 31 * h + Long.hashCode(bytes);
        h = 31 * h + Long.hashCode(capBytes);
        return h;
    }

    @Override
    public String toString() {
        return "PrefetchPlan[requests=" + requests + ", skipped=" + skipped + ", bytes=" + bytes
                + ", capBytes=" + capBytes + "]";
    }

    /** Ranges closer than this are read as one (128 KB). */
    public static final long MERGE_GAP_PAGES = 32;
    public static final long MAX_CAP_BYTES = 1L << 30;

    /** One file's requests: pairs (offset, length) in bytes; device: the file's st_dev. */
    public static final class Request {
        private final String path;
        private final long device;
        private final long[] ranges;
        private final long bytes;

        public Request(String path, long device, long[] ranges, long bytes) {
            this.path = path;
            this.device = device;
            this.ranges = ranges;
            this.bytes = bytes;
        }

        public String path() {
            return path;
        }

        public long device() {
            return device;
        }

        public long[] ranges() {
            return ranges;
        }

        public long bytes() {
            return bytes;
        }

        @Override
        public boolean equals(Object other) {
            if (this == other) {
                return true;
            }
            if (!(other instanceof Request)) {
                return false;
            }
            Request o = (Request) other;
            return Objects.equals(path, o.path) && device == o.device && Objects.equals(ranges, o.ranges)
                    && bytes == o.bytes;
        }

        @Override
        public int hashCode() {
            int h = 0;
            h = 31 * h + Objects.hashCode(path);
            h = 31 * h + Long.hashCode(device);
            h = 31 * h + Objects.hashCode(ranges);
            h = 31 * h + Long.hashCode(bytes);
            return h;
        }

        @Override
        public String toString() {
            return "Request[path=" + path + ", device=" + device + ", ranges=" + ranges + ", bytes=" + bytes + "]";
        }
    }

    /**
     * The plan for set: cap = requested cap (<= 0: the whole set, its merged requests included),
     * never above 1 GB nor above half of MemAvailable (the program the prefetch is for needs the rest).
     */
    public static PrefetchPlan of(WorkingSet set, long requestedCap) {
        long cap = Math.min(requestedCap > 0 ? requestedCap : Long.MAX_VALUE, MAX_CAP_BYTES);
        long available = MemoryAvailable.bytes();
        if (available > 0) {
            cap = Math.min(cap, available / 2);
        }
        List<FileSet> files = new ArrayList<>(set.files());
        files.sort(Comparator.comparingLong(FileSet::device).thenComparingLong(FileSet::inode));
        List<Request> requests = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        long total = 0;
        for (FileSet f : files) {
            String why;
            try {
                why = FileIdentity.of(Path.of(f.path())).differenceFrom(f);
            } catch (IOException | RuntimeException e) {
                why = "gone (" + e.getMessage() + ")";
            }
            if (why != null) {
                skipped.add(f.path() + ": " + why);
                continue;
            }
            List<PageRange> merged = PageRanges.merge(f.ranges(), MERGE_GAP_PAGES);
            long[] pairs = new long[merged.size() * 2];
            int n = 0;
            long bytes = 0;
            for (PageRange r : merged) {
                long off = r.offsetBytes();
                if (off >= f.size()) {
                    break;
                }
                long len = Math.min(r.lengthBytes(), f.size() - off);
                len = Math.min(len, cap - total - bytes);
                if (len <= 0) {
                    break;
                }
                pairs[n++] = off;
                pairs[n++] = len;
                bytes += len;
            }
            if (n > 0) {
                requests.add(new Request(f.path(), f.device(), java.util.Arrays.copyOf(pairs, n), bytes));
                total += bytes;
            }
            if (total >= cap) {
                break;
            }
        }
        return new PrefetchPlan(List.copyOf(requests), List.copyOf(skipped), total, cap);
    }
}
