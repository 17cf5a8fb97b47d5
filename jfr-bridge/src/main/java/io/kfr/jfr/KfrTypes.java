package io.kfr.jfr;

import java.util.Locale;
import java.util.TimeZone;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The type ids and the metadata of kfr's chunk.
 * <p>
 * Ids start far above the JVM's: the JVM numbers its built-in types from 1 and Java-defined types
 * (event classes, annotations) by their class trace id, a counter of loaded classes (≈1,300–2,000
 * in a small JDK 17/25 program, far more in a big application). A clash would make
 * {@code jfr summary} misname kfr's events and {@code RecordingFile.readEventTypes()} drop them.
 * Everything stays below 2^28, a 4-byte varint.
 * <p>
 * The event types have fixed ids; all other types get ids of their own in every {@link KfrChunk}
 * ({@link #next()}). The JDK reader carries constants from one chunk to the next by (type id,
 * key): two chunks of different KfrChunks in one file would otherwise show the first one's
 * threads and stacks in the second. Chunks of the same KfrChunk share keys safely (a key never
 * changes its value).
 */
final class KfrTypes {
    /** The event types' ids ({@link KfrEventTypes}) are this plus 100 and up. */
    static final long EVENT_BASE = 0x0F00_0000L;

    /** Per-KfrChunk ids: base + one of these offsets. */
    private static final long INSTANCE_BASE = 0x0F10_0000L;
    private static final int IDS_PER_INSTANCE = 64;
    private static final int INSTANCES = (int) ((0x1000_0000L - INSTANCE_BASE) / IDS_PER_INSTANCE);
    /**
     * Within a process instances differ surely; across processes (and files) by chance 1 : 245,760.
     * A chance, not a secret: no SecureRandom, whose first use costs a starting JVM 0.1-0.3 s.
     */
    private static final AtomicInteger NEXT = new AtomicInteger(java.util.concurrent.ThreadLocalRandom.current().nextInt(INSTANCES));

    static final int BOOLEAN = 1;
    static final int INT = 2;
    static final int LONG = 3;
    static final int DOUBLE = 4;
    static final int STRING = 5;

    static final int LABEL = 10;
    static final int DESCRIPTION = 11;
    static final int CATEGORY = 12;
    static final int TIMESTAMP = 13;
    static final int TIMESPAN = 14;
    static final int CONTENT_TYPE = 15;

    static final int THREAD = 20;
    static final int THREAD_GROUP = 21;
    static final int CLASS = 22;
    static final int CLASS_LOADER = 23;
    static final int PACKAGE = 24;
    static final int METHOD = 25;
    static final int SYMBOL = 26;
    static final int STACK_TRACE = 27;
    static final int STACK_FRAME = 28;
    static final int FRAME_TYPE = 29;
    static final int THREAD_STATE = 30;

    /**
     * The JDK reader skips re-reading metadata when a chunk's metadata id equals the previous
     * chunk's; the JVM counts from 1, so kfr's ids start far from it ("kfr" in ASCII) and differ
     * per instance like the type ids they describe.
     */
    private static final long METADATA_ID_BASE = 0x6B_6672L << 24;
    /** Added to the metadata id when jdk.ExecutionSample is declared: above every instance number. */
    private static final long WITH_EXECUTION_SAMPLES = 1L << 20;

    private static final String ANNOTATION = "java.lang.annotation.Annotation";
    private static final String EVENT = "jdk.jfr.Event";

    private final long base;
    private final long metadataId;

    private KfrTypes(int instance) {
        base = INSTANCE_BASE + (long) instance * IDS_PER_INSTANCE;
        metadataId = METADATA_ID_BASE + instance;
    }

    static KfrTypes next() {
        return new KfrTypes(Math.floorMod(NEXT.getAndIncrement(), INSTANCES));
    }

    /** The id of one of this instance's types ({@link #THREAD}, ...). */
    long id(int type) {
        return base + type;
    }

    /**
     * The metadata differs with and without jdk.ExecutionSample, and so must its id: two chunks of
     * one KfrChunk in a file may differ in that.
     */
    long metadataId(boolean executionSamples) {
        return metadataId + (executionSamples ? WITH_EXECUTION_SAMPLES : 0);
    }

    /**
     * The metadata tree; region is this JVM's time zone, as the JVM itself writes it.
     * jdk.ExecutionSample (and its jdk.types.ThreadState) only in a chunk that holds such events,
     * so that otherwise no reader lists a second, empty jdk.ExecutionSample type.
     */
    MetadataTree metadata(boolean executionSamples) {
        MetadataTree t = new MetadataTree();
        MetadataTree.Element m = t.metadata;

        for (Object[] p : new Object[][] {{"boolean", BOOLEAN}, {"int", INT}, {"long", LONG},
                {"double", DOUBLE}, {"java.lang.String", STRING}}) {
            type(m, (String) p[0], id((Integer) p[1]), null, false);
        }

        // Annotation types: the readers know them by name; Timestamp/Timespan carry ContentType
        // as in the JVM's metadata so jdk.jfr sees them as content types.
        type(m, "jdk.jfr.ContentType", id(CONTENT_TYPE), ANNOTATION, false);
        field(type(m, "jdk.jfr.Label", id(LABEL), ANNOTATION, false), "value", STRING, false, false);
        field(type(m, "jdk.jfr.Description", id(DESCRIPTION), ANNOTATION, false), "value", STRING, false, false);
        field(type(m, "jdk.jfr.Category", id(CATEGORY), ANNOTATION, false), "value", STRING, false, true);
        MetadataTree.Element ts = type(m, "jdk.jfr.Timestamp", id(TIMESTAMP), ANNOTATION, false);
        field(ts, "value", STRING, false, false);
        ts.child("annotation").attribute("class", id(CONTENT_TYPE));
        MetadataTree.Element tsp = type(m, "jdk.jfr.Timespan", id(TIMESPAN), ANNOTATION, false);
        field(tsp, "value", STRING, false, false);
        tsp.child("annotation").attribute("class", id(CONTENT_TYPE));

        // The JVM's own structural types, same names and field order (JMC's StackFrame reader
        // resolves frame fields by position; the Thread field set is JDK 17's).
        MetadataTree.Element thread = type(m, "java.lang.Thread", id(THREAD), null, false);
        labeled(field(thread, "osName", STRING, false, false), "OS Thread Name", null);
        labeled(field(thread, "osThreadId", LONG, false, false), "OS Thread Id", null);
        labeled(field(thread, "javaName", STRING, false, false), "Java Thread Name", null);
        labeled(field(thread, "javaThreadId", LONG, false, false), "Java Thread Id", null);
        labeled(field(thread, "group", THREAD_GROUP, true, false), "Java Thread Group", null);
        labeled(thread, "Thread", null);

        MetadataTree.Element group = type(m, "jdk.types.ThreadGroup", id(THREAD_GROUP), null, false);
        labeled(field(group, "parent", THREAD_GROUP, true, false), "Parent", null);
        labeled(field(group, "name", STRING, false, false), "Name", null);
        labeled(group, "Thread Group", null);

        MetadataTree.Element cls = type(m, "java.lang.Class", id(CLASS), null, false);
        labeled(field(cls, "classLoader", CLASS_LOADER, true, false), "Class Loader", null);
        labeled(field(cls, "name", SYMBOL, true, false), "Name", null);
        labeled(field(cls, "package", PACKAGE, true, false), "Package", null);
        labeled(field(cls, "modifiers", INT, false, false), "Access Modifiers", null);
        labeled(field(cls, "hidden", BOOLEAN, false, false), "Hidden", null);
        labeled(cls, "Java Class", null);

        MetadataTree.Element loader = type(m, "jdk.types.ClassLoader", id(CLASS_LOADER), null, false);
        labeled(field(loader, "type", CLASS, true, false), "Type", null);
        labeled(field(loader, "name", SYMBOL, true, false), "Name", null);
        labeled(loader, "Java Class Loader", null);

        MetadataTree.Element pkg = type(m, "jdk.types.Package", id(PACKAGE), null, false);
        labeled(field(pkg, "name", SYMBOL, true, false), "Name", null);
        labeled(field(pkg, "exported", BOOLEAN, false, false), "Exported", null);
        labeled(pkg, "Package", null);

        MetadataTree.Element method = type(m, "jdk.types.Method", id(METHOD), null, false);
        labeled(field(method, "type", CLASS, true, false), "Type", null);
        labeled(field(method, "name", SYMBOL, true, false), "Name", null);
        labeled(field(method, "descriptor", SYMBOL, true, false), "Descriptor", null);
        labeled(field(method, "modifiers", INT, false, false), "Access Modifiers", null);
        labeled(field(method, "hidden", BOOLEAN, false, false), "Hidden", null);
        labeled(method, "Java Method", null);

        MetadataTree.Element symbol = type(m, "jdk.types.Symbol", id(SYMBOL), null, true);
        labeled(field(symbol, "string", STRING, false, false), "String", null);
        labeled(symbol, "Symbol", null);

        MetadataTree.Element stack = type(m, "jdk.types.StackTrace", id(STACK_TRACE), null, false);
        labeled(field(stack, "truncated", BOOLEAN, false, false), "Truncated", null);
        labeled(field(stack, "frames", STACK_FRAME, false, true), "Stack Frames", null);
        labeled(stack, "Stacktrace", null);

        MetadataTree.Element frame = type(m, "jdk.types.StackFrame", id(STACK_FRAME), null, false);
        labeled(field(frame, "method", METHOD, true, false), "Java Method", null);
        labeled(field(frame, "lineNumber", INT, false, false), "Line Number", null);
        labeled(field(frame, "bytecodeIndex", INT, false, false), "Bytecode Index", null);
        labeled(field(frame, "type", FRAME_TYPE, true, false), "Frame Type", null);

        MetadataTree.Element frameType = type(m, "jdk.types.FrameType", id(FRAME_TYPE), null, true);
        labeled(field(frameType, "description", STRING, false, false), "Description", null);
        labeled(frameType, "Frame type", null);

        boolean threadStates = false;
        for (EventType<?> type : KfrEventTypes.ALL) {
            if (type.optional() && !executionSamples) {
                continue;
            }
            if (!threadStates && type.fields().stream().anyMatch(f -> f.type() == THREAD_STATE)) {
                threadStates = true;
                MetadataTree.Element state = type(m, "jdk.types.ThreadState", id(THREAD_STATE), null, true);
                labeled(field(state, "name", STRING, false, false), "Name", null);
                labeled(state, "Java Thread State", null);
            }
            event(m, type);
        }

        TimeZone tz = TimeZone.getDefault();
        t.region.attribute("locale", Locale.getDefault().toString())
                .attribute("gmtOffset", tz.getRawOffset())
                .attribute("dst", tz.inDaylightTime(new java.util.Date()) ? tz.getDSTSavings() : 0);
        return t;
    }

    /** An event type as declared in {@link KfrEventTypes}: fields in contract order. */
    private void event(MetadataTree.Element m, EventType<?> type) {
        MetadataTree.Element e = type(m, type.name(), type.id(), EVENT, false);
        for (EventType.Field<?> f : type.fields()) {
            MetadataTree.Element field = labeled(field(e, f.name(), f.type(), f.constantPool(), false), f.label(),
                    f.description());
            if (f.annotation() != 0) {
                annotation(field, f.annotation(), f.unit());
            }
        }
        labeled(e, type.label(), type.description());
        category(e, type.category());
    }

    private static MetadataTree.Element type(MetadataTree.Element m, String name, long id, String superType, boolean simple) {
        MetadataTree.Element e = m.child("class").attribute("name", name);
        if (superType != null) {
            e.attribute("superType", superType);
        }
        if (simple) {
            e.attribute("simpleType", true);
        }
        return e.attribute("id", id);
    }

    private MetadataTree.Element field(MetadataTree.Element type, String name, int typeId, boolean constantPool, boolean array) {
        MetadataTree.Element f = type.child("field").attribute("name", name).attribute("class", id(typeId));
        if (array) {
            f.attribute("dimension", 1);
        }
        if (constantPool) {
            f.attribute("constantPool", true);
        }
        return f;
    }

    private MetadataTree.Element labeled(MetadataTree.Element e, String label, String description) {
        annotation(e, LABEL, label);
        if (description != null) {
            annotation(e, DESCRIPTION, description);
        }
        return e;
    }

    private void annotation(MetadataTree.Element e, int annotationType, String value) {
        e.child("annotation").attribute("class", id(annotationType)).attribute("value", value);
    }

    private void category(MetadataTree.Element e, String[] path) {
        MetadataTree.Element a = e.child("annotation").attribute("class", id(CATEGORY));
        for (int i = 0; i < path.length; i++) {
            a.attribute("value-" + i, path[i]);
        }
    }
}
