package io.kfr.collectors.workingset;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Carries out a {@link PrefetchPlan}, on the calling thread or on a background one. */
public final class Prefetcher {
    private static final int READ_BUFFER = 1 << 20;

    private Prefetcher() {
    }

    public static PrefetchResult run(PrefetchPlan plan, PrefetchMethod method) {
        List<String> failures = new ArrayList<>();
        long bytes = 0;
        int files = 0;
        String why = PrefetchNative.load();
        if (why != null && method != PrefetchMethod.READ) {
            failures.add(why);
            return new PrefetchResult(method, 0, 0, failures, 0);
        }
        long t0 = System.nanoTime();
        // without the native library, read works from Java, with the kernel's readahead on (it reads more than the set)
        ByteBuffer javaReadBuffer = why != null ? ByteBuffer.allocateDirect(READ_BUFFER) : null;
        if (method == PrefetchMethod.READ && javaReadBuffer == null) {
            startEveryRead(plan);
        }
        for (PrefetchPlan.Request r : plan.requests()) {
            try {
                bytes += javaReadBuffer != null ? read(r, javaReadBuffer) : native_(r, method);
                files++;
            } catch (IOException e) {
                failures.add(r.path() + ": " + e.getMessage());
            }
        }
        return new PrefetchResult(method, bytes, files, failures, System.nanoTime() - t0);
    }

    /** Starts run(plan, method) on a daemon thread; done gets the result. */
    public static Thread startInBackground(PrefetchPlan plan, PrefetchMethod method, Consumer<PrefetchResult> done) {
        Thread t = new Thread(() -> done.accept(run(plan, method)), "kfr-prefetch");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /**
     * Starts every read of the plan, as fadvise does, before READ waits for them: the disk gets them
     * all at once, sorted and merged (270 I/Os for 105 MB here, against 380 when each range is read
     * in turn). A file that fails here is reported by its read.
     */
    private static void startEveryRead(PrefetchPlan plan) {
        for (PrefetchPlan.Request r : plan.requests()) {
            try {
                native_(r, PrefetchMethod.FADVISE);
            } catch (IOException e) {
                // its read says what is wrong with it
            }
        }
    }

    private static long native_(PrefetchPlan.Request r, PrefetchMethod method) throws IOException {
        long n = PrefetchNative.prefetch(r.path(), r.ranges(), method.code, ReadaheadWindow.bytes(r.device()));
        if (n < 0) {
            throw new IOException(method.optionName() + " failed: errno " + (-n));
        }
        return n;
    }

    private static long read(PrefetchPlan.Request r, ByteBuffer buffer) throws IOException {
        long done = 0;
        try (FileChannel ch = FileChannel.open(Path.of(r.path()), StandardOpenOption.READ)) {
            long[] p = r.ranges();
            for (int i = 0; i + 1 < p.length; i += 2) {
                long pos = p[i];
                long end = p[i] + p[i + 1];
                while (pos < end) {
                    buffer.clear();
                    buffer.limit((int) Math.min(buffer.capacity(), end - pos));
                    int n = ch.read(buffer, pos);
                    if (n <= 0) {
                        break;
                    }
                    pos += n;
                    done += n;
                }
            }
        }
        return done;
    }
}
