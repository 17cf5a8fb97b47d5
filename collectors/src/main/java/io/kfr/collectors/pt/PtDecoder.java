package io.kfr.collectors.pt;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Decodes Intel PT traces with libipt's instruction decoder over a {@link PtImage}. */
public final class PtDecoder {
    /** longs per packed segment: firstIp, lastIp, instructions, conditionals, taken, end, target, time. */
    static final int SEGMENT_LONGS = 8;
    /** totals slots: instructions, truncated (0/1), trace bytes, wall ns, ips written. */
    static final int TOTALS = 5;

    private PtDecoder() {
    }

    /**
     * Decodes one thread's trace (raw PT packets as the AUX area holds them, oldest first, from the
     * buffer's position to its limit). Bounded: at most maxInstructions, at most maxMillis; never
     * throws on bad trace bytes: every stop is counted in the result.
     */
    public static PtDecodeResult decode(PtImage image, ByteBuffer trace, PtCpu cpu, long maxInstructions, long maxMillis) {
        return run(image, trace, cpu, maxInstructions, maxMillis, null);
    }

    /**
     * As {@link #decode}, and every decoded instruction's ip into {@code ips} (as many as fit; the
     * result's instructions says how many were decoded). For proofs and benchmarks.
     */
    public static PtDecodeResult decode(PtImage image, ByteBuffer trace, PtCpu cpu, long maxInstructions, long maxMillis,
                                        long[] ips) {
        return run(image, trace, cpu, maxInstructions, maxMillis, ips);
    }

    private static PtDecodeResult run(PtImage image, ByteBuffer trace, PtCpu cpu, long maxInstructions, long maxMillis,
                                      long[] ips) {
        int[] stops = new int[PtStops.NAMES.length];
        long[] totals = new long[TOTALS];
        long[] packed;
        synchronized (image) {
            long handle = image.live();
            if (trace.isDirect()) {
                packed = PtNative.decode(handle, trace, null, trace.position(), trace.remaining(), cpu.packed(),
                        maxInstructions, maxMillis, stops, totals, ips);
            } else if (trace.hasArray()) {
                packed = PtNative.decode(handle, null, trace.array(), trace.arrayOffset() + trace.position(),
                        trace.remaining(), cpu.packed(), maxInstructions, maxMillis, stops, totals, ips);
            } else {
                byte[] copy = new byte[trace.remaining()];
                trace.duplicate().get(copy);
                packed = PtNative.decode(handle, null, copy, 0, copy.length, cpu.packed(), maxInstructions, maxMillis,
                        stops, totals, ips);
            }
        }
        if (packed == null) {
            throw new OutOfMemoryError("pt decode");
        }
        List<PtSegment> segments = new ArrayList<>(packed.length / SEGMENT_LONGS);
        for (int i = 0; i + SEGMENT_LONGS <= packed.length; i += SEGMENT_LONGS) {
            segments.add(new PtSegment(packed[i], packed[i + 1], (int) packed[i + 2], (int) packed[i + 3],
                    (int) packed[i + 4], (int) packed[i + 5], packed[i + 6], packed[i + 7]));
        }
        Map<String, Integer> named = new LinkedHashMap<>();
        int errors = 0;
        for (int i = 0; i < stops.length; i++) {
            if (stops[i] != 0) {
                named.put(PtStops.NAMES[i], stops[i]);
                if (i < PtStops.ERROR_REASONS) {
                    errors += stops[i];
                }
            }
        }
        return new PtDecodeResult(segments, totals[0], errors, named, totals[1] != 0, totals[2], totals[3]);
    }
}
