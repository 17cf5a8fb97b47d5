package io.kfr.collectors.pt;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns one thread's snapshot into hot paths and spans: decodes it over an image of this process
 * (files mapped now, JIT code copied now, right after the snapshot), bounded in instructions and
 * time, and names what it ran. A snapshot taken for an off-CPU interval keeps only what ran
 * before the thread blocked, when the trace has times.
 */
public final class PtSnapshotDecode {
    /** Per thread: enough for a 4 MB ring of dense trace, and a bound on the collector's time. */
    static final long MAX_INSTRUCTIONS = 20_000_000L;
    static final long MAX_MILLIS = 500;

    private PtSnapshotDecode() {
    }

    /** {@code number}: the snapshot's number (kfr.HotPath's snapshot); {@code untilNanos}: CLOCK_MONOTONIC ns after which the trace is not wanted, or -1. */
    public static PtSnapshotResult decode(long number, PtSnapshot snapshot, PtImage image, PtCpu cpu, long untilNanos) {
        PtCpu c = cpu;
        if (snapshot.timeConversion != null) {
            c = cpu.withTscConversion((int) snapshot.timeConversion[2], (int) snapshot.timeConversion[1],
                    snapshot.timeConversion[0]);
        }
        PtDecodeResult r = PtDecoder.decode(image, snapshot.trace, c, MAX_INSTRUCTIONS, MAX_MILLIS);
        List<PtSegment> segments = r.segments;
        if (untilNanos >= 0) {
            segments = until(segments, untilNanos);
        }
        PtPathsNames names = new PtPathsNames();
        List<PtHotPath> paths = PtPaths.of(segments, names);
        List<PtSpan> spans = PtSpans.of(segments, names);
        return new PtSnapshotResult(number, snapshot.tid, snapshot.reason, snapshot.epochNanos, paths, spans, r.traceBytes,
                r.instructions, r.stops, snapshot.wrapped, r.decodeNanos, names.unnamed());
    }

    /** The segments that ended by untilNanos (untimed ones go with the timed one after them). */
    static List<PtSegment> until(List<PtSegment> segments, long untilNanos) {
        int keep = segments.size();
        for (int i = 0; i < segments.size(); i++) {
            long t = segments.get(i).timeNanos;
            if (t > untilNanos) {
                keep = i;
                break;
            }
        }
        return new ArrayList<>(segments.subList(0, keep));
    }
}
