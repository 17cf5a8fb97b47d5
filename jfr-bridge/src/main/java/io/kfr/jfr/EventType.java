package io.kfr.jfr;

import io.kfr.collectors.StackTrace;
import io.kfr.collectors.ThreadRef;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;
import java.util.function.ToIntFunction;
import java.util.function.ToLongFunction;

/**
 * One event type of kfr's chunk: its name, id, label, category, and fields in the contract's
 * order (docs/events.md), each with its type, annotations, how it is encoded and how its value
 * is read from the event's record object {@code R} (the collector's sample). {@link KfrTypes}
 * writes the metadata from it, {@link SpoolWriter} the spool record (the fields' spool forms in
 * this order) and {@link EventEncoder} the chunk's event: one declaration, so the three cannot
 * disagree on the fields or their order. Declared with {@link #declare}.
 *
 * @param kind     the spool record's first byte
 * @param optional declared only in chunks that hold such events
 */
final class EventType<R> {
    private final String name;
    private final long id;
    private final int kind;
    private final String label;
    private final String description;
    private final String[] category;
    private final boolean optional;
    private final List<Field<R>> fields;
    /** The fields as an array, for the writer's loop. */
    private final Field<R>[] fieldArray;
    /** Pool keys the spool record holds: at most this many fields. */
    static final int MAX_FIELDS = 64;
    /** The indexes of the fields whose spool form is a pool key: stacks; threads; strings (each in field order). */
    private final int[] stackFields;
    private final int[] threadFields;
    private final int[] stringFields;

    @SuppressWarnings("unchecked")
    private EventType(String name, long id, int kind, String label, String description, String[] category,
            boolean optional, List<Field<R>> fields) {
        this.name = name;
        this.id = id;
        this.kind = kind;
        this.label = label;
        this.description = description;
        this.category = category;
        this.optional = optional;
        this.fields = List.copyOf(fields);
        this.fieldArray = this.fields.toArray(new Field[0]);
        Encoding first = fieldArray.length == 0 ? null : fieldArray[0].encoding;
        if (first != Encoding.START && first != Encoding.INSTANT) {
            throw new IllegalArgumentException(name + ": the first field is the event's time (START or INSTANT)");
        }
        if (first == Encoding.START && (fieldArray.length < 2 || fieldArray[1].encoding != Encoding.DURATION)) {
            throw new IllegalArgumentException(name + ": a START field is followed by its DURATION");
        }
        for (int i = 1; i < fieldArray.length; i++) {
            if (fieldArray[i].encoding == Encoding.START || fieldArray[i].encoding == Encoding.INSTANT) {
                throw new IllegalArgumentException(name + ": only the first field is the event's time");
            }
        }
        if (fieldArray.length > MAX_FIELDS) {
            throw new IllegalArgumentException(name + ": more than " + MAX_FIELDS + " fields");
        }
        this.stackFields = indexes(f -> f.type == KfrTypes.STACK_TRACE);
        this.threadFields = indexes(f -> f.type == KfrTypes.THREAD);
        this.stringFields = indexes(f -> f.encoding == Encoding.STRING);
    }

    private int[] indexes(Predicate<Field<R>> which) {
        return java.util.stream.IntStream.range(0, fieldArray.length).filter(i -> which.test(fieldArray[i])).toArray();
    }

    int[] stackFields() {
        return stackFields;
    }

    int[] threadFields() {
        return threadFields;
    }

    int[] stringFields() {
        return stringFields;
    }

    /** Starts the declaration of an event type whose values come from records of type R. */
    static <R> Builder<R> declare(String name, long id, int kind, String label, String description, String[] category,
            boolean optional) {
        return new Builder<>(name, id, kind, label, description, category, optional);
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

    public List<Field<R>> fields() {
        return fields;
    }

    Field<R>[] fieldArray() {
        return fieldArray;
    }

    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof EventType)) {
            return false;
        }
        EventType<?> o = (EventType<?>) other;
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
    static final class Field<R> {
        private final String name;
        private final int type;
        private final boolean constantPool;
        private final String label;
        private final String description;
        private final int annotation;
        private final String unit;
        private final Encoding encoding;
        /** START, DURATION, INSTANT, LONG, INT: the value. */
        final ToLongFunction<R> longValue;
        /** REFERENCE (a ThreadRef or StackTrace, by the field's type), STRING: the object a pool key is made for. */
        final Function<R, ?> objectValue;
        final Predicate<R> booleanValue;
        final ToDoubleFunction<R> doubleValue;
        /** What the spool holds for it, for {@link SpoolWriter}'s switch: one of SpoolWriter's OP_ constants. */
        final int spoolOp;

        private Field(String name, int type, boolean constantPool, String label, String description, int annotation,
                String unit, Encoding encoding, ToLongFunction<R> longValue, Function<R, ?> objectValue,
                Predicate<R> booleanValue, ToDoubleFunction<R> doubleValue) {
            this.name = name;
            this.type = type;
            this.constantPool = constantPool;
            this.label = label;
            this.description = description;
            this.annotation = annotation;
            this.unit = unit;
            this.encoding = encoding;
            this.longValue = longValue;
            this.objectValue = objectValue;
            this.booleanValue = booleanValue;
            this.doubleValue = doubleValue;
            this.spoolOp = SpoolWriter.op(encoding);
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
            Field<?> o = (Field<?>) other;
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

    /**
     * The fields of one event type in contract order, each with where its value comes from. The
     * first field is the event's time: {@link #start} (then {@link #duration}) or {@link #instant}.
     */
    static final class Builder<R> {
        private final String name;
        private final long id;
        private final int kind;
        private final String label;
        private final String description;
        private final String[] category;
        private final boolean optional;
        private final List<Field<R>> fields = new ArrayList<>();

        private Builder(String name, long id, int kind, String label, String description, String[] category,
                boolean optional) {
            this.name = name;
            this.id = id;
            this.kind = kind;
            this.label = label;
            this.description = description;
            this.category = category;
            this.optional = optional;
        }

        /** The start of an event with a duration (epoch ns); {@link #duration} follows. */
        Builder<R> start(String name, String label, String description, ToLongFunction<R> epochNanos) {
            return add(name, KfrTypes.LONG, label, description, KfrTypes.TIMESTAMP, "TICKS", Encoding.START, epochNanos);
        }

        /** Its duration (ns; a negative one is written as 0). */
        Builder<R> duration(String name, String label, String description, ToLongFunction<R> nanos) {
            return add(name, KfrTypes.LONG, label, description, KfrTypes.TIMESPAN, "TICKS", Encoding.DURATION, nanos);
        }

        /** The time of an event without duration (epoch ns). */
        Builder<R> instant(String name, String label, String description, ToLongFunction<R> epochNanos) {
            return add(name, KfrTypes.LONG, label, description, KfrTypes.TIMESTAMP, "TICKS", Encoding.INSTANT, epochNanos);
        }

        Builder<R> thread(String name, String label, String description, Function<R, ThreadRef> thread) {
            return add(name, KfrTypes.THREAD, label, description, Encoding.REFERENCE, null, thread, null, null);
        }

        /** A stack trace; its new native frames are announced (kfr.NativeImage, kfr.NativeSymbol) at the event's time. */
        Builder<R> stack(String name, String label, String description, Function<R, StackTrace> stack) {
            return add(name, KfrTypes.STACK_TRACE, label, description, Encoding.REFERENCE, null, stack, null, null);
        }

        /** A string (null: no value). */
        Builder<R> string(String name, String label, String description, Function<R, String> value) {
            return add(name, KfrTypes.STRING, label, description, Encoding.STRING, null, value, null, null);
        }

        Builder<R> longValue(String name, String label, String description, ToLongFunction<R> value) {
            return add(name, KfrTypes.LONG, label, description, 0, null, Encoding.LONG, value);
        }

        /** A long with a time unit (NANOSECONDS, ...). */
        Builder<R> timespan(String name, String unit, String label, String description, ToLongFunction<R> value) {
            return add(name, KfrTypes.LONG, label, description, KfrTypes.TIMESPAN, unit, Encoding.LONG, value);
        }

        Builder<R> intValue(String name, String label, String description, ToIntFunction<R> value) {
            return add(name, KfrTypes.INT, label, description, 0, null, Encoding.INT, value::applyAsInt);
        }

        Builder<R> booleanValue(String name, String label, String description, Predicate<R> value) {
            return add(name, KfrTypes.BOOLEAN, label, description, Encoding.BOOLEAN, null, null, value, null);
        }

        Builder<R> doubleValue(String name, String label, String description, ToDoubleFunction<R> value) {
            return add(name, KfrTypes.DOUBLE, label, description, Encoding.DOUBLE, null, null, null, value);
        }

        /** The event's duration in milliseconds, a plain double; nothing in the spool. */
        Builder<R> durationMillis(String name, String label, String description) {
            return add(name, KfrTypes.DOUBLE, label, description, Encoding.DURATION_MILLIS, null, null, null, null);
        }

        /** The thread state of a running thread; nothing in the spool. */
        Builder<R> runnable(String name, String label, String description) {
            return add(name, KfrTypes.THREAD_STATE, label, description, Encoding.RUNNABLE, null, null, null, null);
        }

        EventType<R> build() {
            return new EventType<>(name, id, kind, label, description, category, optional, fields);
        }

        private Builder<R> add(String name, int type, String label, String description, int annotation, String unit,
                Encoding encoding, ToLongFunction<R> value) {
            fields.add(new Field<>(name, type, false, label, description, annotation, unit, encoding, value, null, null,
                    null));
            return this;
        }

        private Builder<R> add(String name, int type, String label, String description, Encoding encoding,
                ToLongFunction<R> longValue, Function<R, ?> objectValue, Predicate<R> booleanValue,
                ToDoubleFunction<R> doubleValue) {
            boolean pooled = type >= KfrTypes.THREAD;
            fields.add(new Field<>(name, type, pooled, label, description, 0, null, encoding, longValue, objectValue,
                    booleanValue, doubleValue));
            return this;
        }
    }
}
