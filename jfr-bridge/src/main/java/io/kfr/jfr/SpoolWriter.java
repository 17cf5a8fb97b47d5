package io.kfr.jfr;

import io.kfr.collectors.StackTrace;
import io.kfr.collectors.ThreadRef;

/**
 * Writes any event's spool record from its declaration ({@link EventType}): the kind, then each
 * field's spool form in field order, read from the record object by the field's accessor. Pool
 * keys are made first, stacks before the rest (a new stack spools the kfr.NativeImage and
 * kfr.NativeSymbol events it needs, ahead of this one), then threads and strings, each pool in
 * field order. Not thread-safe: one per chunk, used under its lock; the events a stack announces
 * use another.
 */
final class SpoolWriter {
    /** Where pool keys come from: the pools of the segment being filled. */
    interface Keys {
        int thread(ThreadRef thread);

        int string(String s);

        /** A stack's key; a new one's native frames are spooled as events at epochNanos. */
        int stack(StackTrace stack, long epochNanos);
    }

    static final int OP_TIME = 0;
    static final int OP_DURATION = 1;
    static final int OP_KEY = 2;
    static final int OP_LONG = 3;
    static final int OP_INT = 4;
    static final int OP_BOOLEAN = 5;
    static final int OP_DOUBLE = 6;
    /** Nothing in the spool: made from other fields (DURATION_MILLIS) or constant (RUNNABLE). */
    static final int OP_NONE = 7;

    private final int[] keys = new int[EventType.MAX_FIELDS];

    static int op(EventType.Encoding encoding) {
        switch (encoding) {
            case START:
            case INSTANT:
                return OP_TIME;
            case DURATION:
                return OP_DURATION;
            case REFERENCE:
            case STRING:
                return OP_KEY;
            case LONG:
                return OP_LONG;
            case INT:
                return OP_INT;
            case BOOLEAN:
                return OP_BOOLEAN;
            case DOUBLE:
                return OP_DOUBLE;
            default:
                return OP_NONE;
        }
    }

    /**
     * The record of {@code event} into {@code out} (reset first), its pool keys made from {@code pools}.
     * @return the event's end (epoch ns): its time plus its duration, if it has one (a negative one counts as 0)
     */
    <R> long write(EventType<R> type, R event, Keys pools, JfrBuffer out) {
        EventType.Field<R>[] fields = type.fieldArray();
        long start = fields[0].longValue.applyAsLong(event); // the declaration's first field is the event's time
        for (int i : type.stackFields()) {
            keys[i] = pools.stack((StackTrace) fields[i].objectValue.apply(event), start);
        }
        for (int i : type.threadFields()) {
            keys[i] = pools.thread((ThreadRef) fields[i].objectValue.apply(event));
        }
        for (int i : type.stringFields()) {
            keys[i] = pools.string((String) fields[i].objectValue.apply(event));
        }
        out.reset();
        out.writeByte(type.kind());
        out.writeRawLong(start);
        long end = start;
        for (int i = 1; i < fields.length; i++) {
            EventType.Field<R> f = fields[i];
            switch (f.spoolOp) {
                case OP_DURATION: {
                    long d = Math.max(0, f.longValue.applyAsLong(event));
                    out.writeVarLong(d);
                    end = start + d;
                    break;
                }
                case OP_KEY:
                    out.writeVarInt(keys[i]);
                    break;
                case OP_LONG:
                    out.writeVarLong(f.longValue.applyAsLong(event));
                    break;
                case OP_INT:
                    out.writeVarInt((int) f.longValue.applyAsLong(event));
                    break;
                case OP_BOOLEAN:
                    out.writeBoolean(f.booleanValue.test(event));
                    break;
                case OP_DOUBLE:
                    out.writeRawLong(Double.doubleToRawLongBits(f.doubleValue.applyAsDouble(event)));
                    break;
                case OP_TIME: // only the first field is a time (EventType checks)
                default:
                    break;
            }
        }
        return end;
    }
}
