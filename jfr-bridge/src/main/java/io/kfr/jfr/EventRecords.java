package io.kfr.jfr;

import io.kfr.collectors.Frame;
import io.kfr.collectors.ThreadRef;
import io.kfr.collectors.pt.PtHotPath;
import io.kfr.collectors.pt.PtSpan;
import io.kfr.collectors.symbols.NativeImages;
import io.kfr.collectors.workingset.RecordedFile;

/**
 * The record objects of the events whose values come from more than the collector's own object
 * (a time, a thread or a reason the chunk is given with it). The hot events (kfr.OffCpu,
 * kfr.CpuSample) are read from the collector's sample itself.
 */
final class EventRecords {
    private EventRecords() {
    }

    /** kfr.WorkingSet: one file of the set, saved at epochNanos. */
    static final class FileAt {
        final RecordedFile file;
        final long epochNanos;

        FileAt(RecordedFile file, long epochNanos) {
            this.file = file;
            this.epochNanos = epochNanos;
        }
    }

    /** kfr.HotPath: one path of a PT snapshot of a thread. */
    static final class HotPathAt {
        final ThreadRef thread;
        final PtHotPath path;
        final long startNanos;
        final long durationNanos;
        final String reason;
        final long snapshot;

        HotPathAt(ThreadRef thread, PtHotPath path, long startNanos, long durationNanos, String reason, long snapshot) {
            this.thread = thread;
            this.path = path;
            this.startNanos = startNanos;
            this.durationNanos = durationNanos;
            this.reason = reason;
            this.snapshot = snapshot;
        }
    }

    /** kfr.PtSpan: one call of a PT snapshot of a thread. */
    static final class SpanAt {
        final ThreadRef thread;
        final PtSpan span;
        final long startNanos;
        final long durationNanos;
        final long snapshot;

        SpanAt(ThreadRef thread, PtSpan span, long startNanos, long durationNanos, long snapshot) {
            this.thread = thread;
            this.span = span;
            this.startNanos = startNanos;
            this.durationNanos = durationNanos;
            this.snapshot = snapshot;
        }
    }

    /** kfr.NativeImage: an image first seen at epochNanos. */
    static final class ImageAt {
        final NativeImages.Image image;
        final long epochNanos;

        ImageAt(NativeImages.Image image, long epochNanos) {
            this.image = image;
            this.epochNanos = epochNanos;
        }
    }

    /** kfr.NativeSymbol: a native or kernel function at its run-time address, first seen at epochNanos. */
    static final class SymbolAt {
        final Frame frame;
        final long address;
        final long epochNanos;

        SymbolAt(Frame frame, long address, long epochNanos) {
            this.frame = frame;
            this.address = address;
            this.epochNanos = epochNanos;
        }
    }
}
