package io.kfr.jfr;

import java.util.List;
import java.util.Objects;

/**
 * One event type of kfr's chunk: its name, id, label, category, and fields in the contract's
 * order (docs/events.md), each with its type, annotations and how it is encoded. {@link KfrTypes}
 * writes the metadata from it and {@link EventEncoder} the events; the spool record of an event
 * holds its fields' spool forms in this order.
 *
 * @param kind     the spool record's first byte
 * @param optional declared only in chunks that hold such events
 */
final class EventType {
    private final String name;
    private final long id;
    private final int kind;
    private final String label;
    private final String description;
    private final String[] category;
    private final boolean optional;
    private final List<Field> fields;

    EventType(String name, long id, int kind, String label, String description, String[] category, boolean optional,
            List<Field> fields) {
        this.name = name;
        this.id = id;
        this.kind = kind;
        this.label = label;
        this.description = description;
        this.category = category;
        this.optional = optional;
        this.fields = fields;
    }

    public String name() {
        return name;
    }

    public long id() {
        return id;
    }

    public int kind() {
        return kind;
    }

    public String label() {
        return label;
    }

    public String description() {
        return description;
    }

    public String[] category() {
        return category;
    }

    public boolean optional() {
        return optional;
    }

    public List<Field> fields() {
        return fields;
    }

    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof EventType)) {
            return false;
        }
        EventType o = (EventType) other;
        return Objects.equals(name, o.name) && id == o.id && kind == o.kind && Objects.equals(label, o.label)
                && Objects.equals(description, o.description) && Objects.equals(category, o.category)
                && optional == o.optional && Objects.equals(fields, o.fields);
    }

    @Override
    public int hashCode() {
        int h = 0;
        h = 31 * h + Objects.hashCode(name);
        h = 31 * h + Long.hashCode(id);
        h = 31 * h + Integer.hashCode(kind);
        h = 31 * h + Objects.hashCode(label);
        h = 31 * h + Objects.hashCode(description);
        h = 31 * h + Objects.hashCode(category);
        h = 31 * h + Boolean.hashCode(optional);
        h = 31 * h + Objects.hashCode(fields);
        return h;
    }

    @Override
    public String toString() {
        return "EventType[name=" + name + ", id=" + id + ", kind=" + kind + ", label=" + label
                + ", description=" + description + ", category=" + category + ", optional=" + optional
                + ", fields=" + fields + "]";
    }


    /**
     * @param type       a type of {@link KfrTypes} (BOOLEAN, LONG, THREAD, ...)
     * @param annotation 0, {@link KfrTypes#TIMESTAMP} or {@link KfrTypes#TIMESPAN}, with its value (the unit)
     */
    static final class Field {
        private final String name;
        private final int type;
        private final boolean constantPool;
        private final String label;
        private final String description;
        private final int annotation;
        private final String unit;
        private final Encoding encoding;

        Field(String name, int type, boolean constantPool, String label, String description, int annotation, String unit,
                Encoding encoding) {
            this.name = name;
            this.type = type;
            this.constantPool = constantPool;
            this.label = label;
            this.description = description;
            this.annotation = annotation;
            this.unit = unit;
            this.encoding = encoding;
        }

        public String name() {
            return name;
        }

        public int type() {
            return type;
        }

        public boolean constantPool() {
            return constantPool;
        }

        public String label() {
            return label;
        }

        public String description() {
            return description;
        }

        public int annotation() {
            return annotation;
        }

        public String unit() {
            return unit;
        }

        public Encoding encoding() {
            return encoding;
        }

        @Override
        public boolean equals(Object other) {
            if (this == other) {
                return true;
            }
            if (!(other instanceof Field)) {
                return false;
            }
            Field o = (Field) other;
            return Objects.equals(name, o.name) && type == o.type && constantPool == o.constantPool
                    && Objects.equals(label, o.label) && Objects.equals(description, o.description)
                    && annotation == o.annotation && Objects.equals(unit, o.unit)
                    && Objects.equals(encoding, o.encoding);
        }

        @Override
        public int hashCode() {
            int h = 0;
            h = 31 * h + Objects.hashCode(name);
            h = 31 * h + Integer.hashCode(type);
            h = 31 * h + Boolean.hashCode(constantPool);
            h = 31 * h + Objects.hashCode(label);
            h = 31 * h + Objects.hashCode(description);
            h = 31 * h + Integer.hashCode(annotation);
            h = 31 * h + Objects.hashCode(unit);
            h = 31 * h + Objects.hashCode(encoding);
            return h;
        }

        @Override
        public String toString() {
            return "Field[name=" + name + ", type=" + type + ", constantPool=" + constantPool + ", label=" + label
                    + ", description=" + description + ", annotation=" + annotation + ", unit=" + unit
                    + ", encoding=" + encoding + "]";
        }
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
