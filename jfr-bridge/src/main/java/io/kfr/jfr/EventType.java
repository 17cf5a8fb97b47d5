package io.kfr.jfr;

import java.util.List;

/**
 * One event type of kfr's chunk: its name, id, label, category, and fields in the contract's
 * order (docs/events.md), each with its type, annotations and how it is encoded. {@link KfrTypes}
 * writes the metadata from it and {@link EventEncoder} the events; the spool record of an event
 * holds its fields' spool forms in this order.
 *
 * @param kind     the spool record's first byte
 * @param optional declared only in chunks that hold such events
 */
record EventType(String name, long id, int kind, String label, String description, String[] category,
                 boolean optional, List<Field> fields) {

    /**
     * @param type       a type of {@link KfrTypes} (BOOLEAN, LONG, THREAD, ...)
     * @param annotation 0, {@link KfrTypes#TIMESTAMP} or {@link KfrTypes#TIMESPAN}, with its value (the unit)
     */
    record Field(String name, int type, boolean constantPool, String label, String description, int annotation,
                 String unit, Encoding encoding) {
    }

    /** A field's spool form and how it becomes the event's value. */
    enum Encoding {
        /** Epoch nanos (raw long); written together with the {@link #DURATION} that follows. */
        START,
        /** Nanos (varlong); with the start before it, written as end ticks - start ticks. */
        DURATION,
        /** Epoch nanos (raw long) of an event without duration, written as ticks. */
        INSTANT,
        /** A constant pool key (varint): thread, stack trace. */
        REFERENCE,
        /** A key of the java.lang.String pool (varint). */
        STRING,
        LONG,
        INT,
        BOOLEAN,
        /** A double (its raw bits). */
        DOUBLE,
        /** Nothing in the spool: the duration in milliseconds, a plain number. */
        DURATION_MILLIS,
        /** Nothing in the spool: the thread state of a running thread, as the JVM's sampler writes it. */
        RUNNABLE
    }

    static Field field(String name, int type, String label, String description, Encoding encoding) {
        boolean pooled = type >= KfrTypes.THREAD;
        return new Field(name, type, pooled, label, description, 0, null, encoding);
    }

    static Field timespan(String name, String unit, String label, String description, Encoding encoding) {
        return new Field(name, KfrTypes.LONG, false, label, description, KfrTypes.TIMESPAN, unit, encoding);
    }

    static Field timestamp(String name, String label, String description, Encoding encoding) {
        return new Field(name, KfrTypes.LONG, false, label, description, KfrTypes.TIMESTAMP, "TICKS", encoding);
    }
}
