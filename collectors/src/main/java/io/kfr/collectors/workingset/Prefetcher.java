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
        if (method != PrefetchMethod.READ) {
            String why = PrefetchNative.load();
            if (why != null) {
                failures.add(why);
                return new PrefetchResult(method, 0, 0, failures, 0);
            }
        }
        long t0 = System.nanoTime();
        ByteBuffer buffer = method == PrefetchMethod.READ ? ByteBuffer.allocateDirect(READ_BUFFER) : null;
        for (PrefetchPlan.Request r : plan.requests()) {
            try {
                bytes += method == PrefetchMethod.READ ? read(r, buffer) : native_(r, method);
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
