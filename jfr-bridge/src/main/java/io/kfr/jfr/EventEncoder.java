package io.kfr.jfr;

import java.io.IOException;

/**
 * The JFR event written into a chunk (ticks of the chunk's time base) from an event's spool record
 * (pool keys, epoch nanos; written by {@link SpoolWriter}). Both follow the event's declaration in
 * {@link KfrEventTypes}: the spool record holds the fields' spool forms in field order, and the
 * chunk's event is encoded from it field by field.
 */
final class EventEncoder {
    private final TimeBase timeBase;
    private final JfrBuffer body = new JfrBuffer(256);
    private long lastEndNanos;
    private long minStartNanos = Long.MAX_VALUE;
    private long maxEndNanos = Long.MIN_VALUE;

    EventEncoder(TimeBase timeBase) {
        this.timeBase = timeBase;
    }

    /** Reads one spool record and appends it to {@code out} as a sized JFR event. */
    void encodeNext(EventSpool.Reader in, JfrBuffer out) throws IOException {
        body.reset();
        int kind = in.readByte();
        EventType<?> type = KfrEventTypes.ofKind(kind);
        if (type == null) {
            throw new IOException("corrupt kfr spool: record kind " + kind);
        }
        body.writeVarLong(type.id());
        long start = 0;
        long duration = 0;
        for (EventType.Field<?> f : type.fields()) {
            switch (f.encoding()) {
                case START:
                    start = in.readRawLong();
                    break;
                case DURATION: {
                    duration = in.readVarLong();
                    startAndDuration(start, duration);
                    break;
                }
                case INSTANT:
                    instant(in.readRawLong());
                    break;
                case REFERENCE:
                    body.writeVarLong(in.readVarInt());
                    break;
                case STRING:
                    body.writePooledString(in.readVarInt());
                    break;
                case LONG:
                    body.writeVarLong(in.readVarLong());
                    break;
                case INT:
                    body.writeVarInt(in.readVarInt());
                    break;
                case BOOLEAN:
                    body.writeBoolean(in.readByte() != 0);
                    break;
                case DOUBLE:
                    body.writeDouble(Double.longBitsToDouble(in.readRawLong()));
                    break;
                case DURATION_MILLIS:
                    body.writeDouble(duration / 1e6);
                    break;
                case RUNNABLE:
                    body.writeVarLong(JavaThreadStates.RUNNABLE);
                    break;
            }
        }
        out.writeSizedEvent(body);
    }

    /** End time of the event encoded last (epoch ns; start + duration, as readers compute it). */
    long lastEndNanos() {
        return lastEndNanos;
    }

    /** Earliest start time of the events encoded so far (epoch ns), or Long.MAX_VALUE if none. */
    long minStartNanos() {
        return minStartNanos;
    }

    /** Latest end time of the events encoded so far (epoch ns), or Long.MIN_VALUE if none. */
    long maxEndNanos() {
        return maxEndNanos;
    }

    /** An event without duration: it ends where it starts. */
    private void instant(long nanos) {
        body.writeVarLong(timeBase.toTicks(nanos));
        track(nanos, nanos);
    }

    /** Duration as end ticks - start ticks, so readers compute the same end time as the input's. */
    private void startAndDuration(long startNanos, long durationNanos) {
        long end = startNanos + durationNanos;
        long startTicks = timeBase.toTicks(startNanos);
        body.writeVarLong(startTicks);
        body.writeVarLong(Math.max(0, timeBase.toTicks(end) - startTicks));
        track(startNanos, end);
    }

    private void track(long startNanos, long endNanos) {
        lastEndNanos = endNanos;
        minStartNanos = Math.min(minStartNanos, startNanos);
        maxEndNanos = Math.max(maxEndNanos, endNanos);
    }
}
