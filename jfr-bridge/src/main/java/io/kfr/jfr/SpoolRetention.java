package io.kfr.jfr;

/**
 * How much of kfr's data a recording keeps, like JFR's continuous recording: the spool is cut into
 * segments, and whole segments are dropped, oldest first, once the spool holds more than
 * {@link #maxBytes} or once a segment's newest event is older than {@link #maxAgeNanos}. A segment
 * is {@value #SEGMENTS}th of either bound, so what is kept is the window asked for, give or take
 * one segment.
 */
public final class SpoolRetention {
    /** Segments per window: the window kept is at most 1/SEGMENTS larger or older than asked. */
    static final int SEGMENTS = 8;
    /** At the heaviest spool rate measured (~80 kB/s) 256 MB is ~55 minutes: about maxage's hour. */
    public static final long DEFAULT_MAX_BYTES = 256L << 20;
    public static final long DEFAULT_MAX_AGE_NANOS = 3_600_000_000_000L;
    public static final SpoolRetention DEFAULT = new SpoolRetention(DEFAULT_MAX_BYTES, DEFAULT_MAX_AGE_NANOS);
    private static final long MIN_SEGMENT_BYTES = 128L << 10;
    private static final long MIN_SEGMENT_NANOS = 500_000_000L;

    private final long maxBytes;
    private final long maxAgeNanos;

    public SpoolRetention(long maxBytes, long maxAgeNanos) {
        if (maxBytes <= 0 || maxAgeNanos <= 0) {
            throw new IllegalArgumentException("maxsize and maxage must be positive");
        }
        this.maxBytes = maxBytes;
        this.maxAgeNanos = maxAgeNanos;
    }

    /** Spool bytes kept at most (segments being dropped whole, at most one segment more while it fills). */
    public long maxBytes() {
        return maxBytes;
    }

    /** Segments whose newest event is older than this are dropped. */
    public long maxAgeNanos() {
        return maxAgeNanos;
    }

    public SpoolRetention withMaxBytes(long bytes) {
        return new SpoolRetention(bytes, maxAgeNanos);
    }

    public SpoolRetention withMaxAgeNanos(long nanos) {
        return new SpoolRetention(maxBytes, nanos);
    }

    /** A segment is closed and a new one started when it holds this many bytes. */
    long segmentBytes() {
        return Math.max(MIN_SEGMENT_BYTES, maxBytes / SEGMENTS);
    }

    /** ... or when it has been open this long. */
    long segmentNanos() {
        return Math.max(MIN_SEGMENT_NANOS, maxAgeNanos / SEGMENTS);
    }

    @Override
    public String toString() {
        return "maxsize=" + (maxBytes >> 20) + "MB, maxage=" + maxAgeNanos / 1_000_000_000L + "s";
    }
}
