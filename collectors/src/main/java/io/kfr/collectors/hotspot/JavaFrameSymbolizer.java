package io.kfr.collectors.hotspot;

import io.kfr.collectors.HeapShare;
import io.kfr.collectors.Frame;
import io.kfr.collectors.FrameType;
import io.kfr.collectors.natives.KfrNative;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Names the raw Java frames of the BPF walker (struct kfr_java_frame: ref, value, cookie) through
 * libkfr, which reads the JVM's metadata with checks (native/src/hotspot_symbols.c). A compiled
 * frame expands into its inlined methods. Results are cached per raw frame; those of interrupted
 * pcs (different at nearly every walk of a preempted thread) per debug-information point.
 * <p>
 * Class unloading: the metadata of an unloaded class can be reused by a new class at the same
 * addresses, which no check in memory can tell apart. Frames are therefore named in batches
 * ({@link #beginBatch} / {@link #endBatch}): if the JVM unloaded classes between the previous
 * batch and the end of this one (the window in which this batch's frames were walked and named),
 * the cache is dropped and a name used in it is trusted only if each of its methods is
 * <ul>
 * <li>of a class loader that never unloads (the boot and application loaders), whose metadata is
 * never reused; or
 * <li>anchored: a class that owned that Method* (JVMTI said so) before this batch's frames were
 * walked, and that still lives now (a weak reference to it, which the GC
 * clears when it unloads the class). A class that lives keeps its metadata, so the Method* was that
 * class's method from the lookup, through the walk, to now: the name read in between is its own.
 * Anchors matter where classes of other loaders (JDK 11's lambda proxies, VM-anonymous classes
 * with a loader data of their own) run while unrelated classes unload.
 * </ul>
 * A frame that cannot be validated becomes one "[unknown]" Java frame, counted, never a guess.
 * Not thread-safe: the collector thread's.
 */
public final class JavaFrameSymbolizer {
    /** Scope types, hotspot_symbols.h KFR_JS_*. */
    private static final int JS_INTERPRETED = 1;
    private static final int JS_JIT = 2;
    private static final int JS_INLINED = 3;
    private static final int JS_NATIVE = 4;
    private static final int JS_STUB = 5;
    /** Distinct frames kept named (~0.2 kB each with their Frame): ~1.6 MB at most, then all are named again. */
    private static final int MAX_CACHED = HeapShare.entries(8_192, 256);
    private static final boolean DEBUG = System.getenv("KFR_DEBUG") != null;
    /** Anchors kept (~0.1 kB each); beyond, all are dropped and looked up again. */
    private static final int MAX_ANCHORS = HeapShare.entries(4_096, 128);
    /** Methods looked up per pass over the loaded classes (JVMTI), and passes at most once per this. */
    private static final int LOOKUPS_PER_PASS = 256;
    private static final long LOOKUP_INTERVAL_NANOS = 1_000_000_000L;
    /** A Method* no loaded class owned (its class unloaded, or named unlike JVMTI names it) is not looked up again for this long. */
    private static final long NOT_FOUND_NANOS = 30_000_000_000L;
    /**
     * A batch's records were sent after the previous batch's last ring read (else that read had
     * them), each by one run of the BPF walker that walked its stack just before: a run that
     * cannot sleep and takes microseconds. An anchor verified this much before the previous batch
     * began is therefore older than every walk of this batch.
     */
    private static final long ANCHOR_MARGIN_NANOS = 1_000_000_000L;

    private static final List<Frame> TRUNCATED = List.of(Frame.unknown("[truncated]"));
    private static final List<Frame> UNLOADED = List.of(Frame.unknown("[java: classes unloaded meanwhile]"));

    private final Map<FrameKey, Named> cache = new HashMap<>();
    /** Names of interrupted pcs by (nmethod, debug point, compile id): KfrNative.javaDebugPoint. */
    private final Map<FrameKey, Named> byDebugPoint = new HashMap<>();
    private final UnloadedClasses classLoading = UnloadedClasses.open();
    private long unloadedClasses = classLoading.count();
    private long unknownFrames;
    /** Names used in the current batch whose metadata could be reused after class unloading. */
    private final Map<List<Frame>, Named> usedInBatch = new IdentityHashMap<>();
    /** Names of the current batch not trusted (endBatch). */
    private final Set<List<Frame>> untrustedInBatch = Collections.newSetFromMap(new IdentityHashMap<>());
    /** Method* -> the class that owned it when looked up. */
    private final Map<Long, Anchor> anchors = new HashMap<>();
    /** Method* -> when a lookup last found no owner. */
    private final Map<Long, Long> notFound = new HashMap<>();
    private long batchBegin = System.nanoTime();
    private long previousBatchBegin = batchBegin;
    private long lastLookup = System.nanoTime() - LOOKUP_INTERVAL_NANOS;

    private static final class FrameKey {
        private final long ref;
        private final int value;
        private final int cookie;

        private FrameKey(long ref, int value, int cookie) {
            this.ref = ref;
            this.value = value;
            this.cookie = cookie;
        }

        public long ref() {
            return ref;
        }

        public int value() {
            return value;
        }

        public int cookie() {
            return cookie;
        }

        @Override
        public boolean equals(Object other) {
            if (this == other) {
                return true;
            }
            if (!(other instanceof FrameKey)) {
                return false;
            }
            FrameKey o = (FrameKey) other;
            return ref == o.ref && value == o.value && cookie == o.cookie;
        }

        @Override
        public int hashCode() {
            int h = 0;
            h = 31 * h + Long.hashCode(ref);
            h = 31 * h + Integer.hashCode(value);
            h = 31 * h + Integer.hashCode(cookie);
            return h;
        }

        @Override
        public String toString() {
            return "FrameKey[ref=" + ref + ", value=" + value + ", cookie=" + cookie + "]";
        }
    }

    /** A class that owned a Method* at {@code verified} (System.nanoTime), held weakly. */
    private static final class Anchor {
        private final WeakReference<Class<?>> owner;
        private final long verified;

        private Anchor(Class<?> owner, long verified) {
            this.owner = new WeakReference<>(owner);
            this.verified = verified;
        }
    }

    /**
     * A frame's names; methods and classes: the Method* and class name of each of its scopes whose
     * loader may unload (none: neverUnloaded).
     */
    private static final class Named {
        private final List<Frame> frames;
        private final long[] methods;
        private final String[] classes;

        private Named(List<Frame> frames, long[] methods, String[] classes) {
            this.frames = frames;
            this.methods = methods;
            this.classes = classes;
        }

        public List<Frame> frames() {
            return frames;
        }

        public boolean neverUnloaded() {
            return methods.length == 0;
        }

        @Override
        public boolean equals(Object other) {
            if (this == other) {
                return true;
            }
            if (!(other instanceof Named)) {
                return false;
            }
            Named o = (Named) other;
            return Objects.equals(frames, o.frames) && Arrays.equals(methods, o.methods) && Arrays.equals(classes, o.classes);
        }

        @Override
        public int hashCode() {
            return Objects.hash(frames, Arrays.hashCode(methods), Arrays.hashCode(classes));
        }

        @Override
        public String toString() {
            return "Named[frames=" + frames + ", methods=" + Arrays.toString(methods) + "]";
        }
    }

    public JavaFrameSymbolizer() {
        // java.lang.Object: the boot loader; kfr's own classes: the application loader
        KfrNative.javaPermanentLoader(Object.class, "hashCode", "()I", false);
        KfrNative.javaPermanentLoader(KfrNative.class, "version", "()Ljava/lang/String;", true);
    }

    /** The Java frames of one physical frame, innermost first (never empty). */
    public List<Frame> frames(long ref, int value, int cookie) {
        int kind = value >>> JavaStackRecords.KIND_SHIFT;
        if (kind == JavaStackRecords.KIND_TRUNCATED) {
            return TRUNCATED;
        }
        if (kind == JavaStackRecords.KIND_BROKEN) {
            unknownFrames++;
            return List.of(Frame.unknown("[java: walk stopped, " + WalkStopReasons.words(value & 0x0fff_ffff) + "]"));
        }
        Map<FrameKey, Named> names = cache;
        FrameKey key = null;
        if (kind == JavaStackRecords.KIND_COMPILED_PC) {
            // an interrupted pc differs at nearly every walk; its names are those of its debug point
            int point = KfrNative.javaDebugPoint(ref, value, cookie);
            if (point >= 0) {
                names = byDebugPoint;
                key = new FrameKey(ref, point, cookie);
            }
        }
        if (key == null) {
            key = new FrameKey(ref, value, cookie);
        }
        Named named = names.get(key);
        if (named == null) {
            named = parse(KfrNative.javaFrameNames(ref, value, cookie));
            if (named.frames().get(0).type() == FrameType.UNKNOWN) {
                unknownFrames++;
                if (DEBUG) {
                    System.err.printf("kfr: java frame %#x %#x %d: %s%n", ref, value, cookie, named.frames().get(0).owner());
                }
                return named.frames(); // not cached: it may be named later (e.g. metadata not yet readable)
            }
            if (cache.size() + byDebugPoint.size() >= MAX_CACHED) {
                clearCaches();
            }
            names.put(key, named);
        }
        if (!named.neverUnloaded()) {
            usedInBatch.put(named.frames(), named);
        }
        return named.frames();
    }

    /** Starts naming the frames of records walked since the last batch. */
    public void beginBatch() {
        previousBatchBegin = batchBegin;
        batchBegin = System.nanoTime();
        usedInBatch.clear();
        untrustedInBatch.clear();
    }

    /**
     * Ends a batch: true if its names can be trusted; false if classes were unloaded meanwhile and
     * some names used in it are neither of loaders that never unload nor anchored; then
     * {@link #untrusted} replaces those.
     */
    public boolean endBatch() {
        long unloaded = classLoading.count();
        if (unloaded != unloadedClasses) {
            unloadedClasses = unloaded;
            clearCaches();
            for (Named named : usedInBatch.values()) {
                if (!anchored(named)) {
                    untrustedInBatch.add(named.frames());
                }
            }
            if (DEBUG) {
                System.err.printf("kfr: classes unloaded: %d of %d unloadable names anchored (%d anchors)%n",
                        usedInBatch.size() - untrustedInBatch.size(), usedInBatch.size(), anchors.size());
            }
        }
        if (unloadedClasses > 0) { // a JVM that never unloads a class needs no anchor
            anchorUsed();
        }
        return untrustedInBatch.isEmpty();
    }

    /**
     * Whether each unloadable method of a name is anchored: verified before the batch's records
     * were walked ({@link #ANCHOR_MARGIN_NANOS}), and its class lives now, after every name of this
     * batch was read.
     */
    private boolean anchored(Named named) {
        for (long m : named.methods) {
            Anchor a = anchors.get(m);
            if (a == null || previousBatchBegin - a.verified < ANCHOR_MARGIN_NANOS) {
                return false;
            }
            if (a.owner.get() == null) {
                anchors.remove(m); // unloaded: its Method* may belong to another class now
                return false;
            }
        }
        return true;
    }

    /** Looks up the owners of this batch's unloadable methods that have no live anchor (one pass a second at most). */
    private void anchorUsed() {
        if (usedInBatch.isEmpty() || System.nanoTime() - lastLookup < LOOKUP_INTERVAL_NANOS) {
            return;
        }
        Map<Long, String> wanted = new HashMap<>();
        for (Named named : usedInBatch.values()) {
            for (int i = 0; i < named.methods.length && wanted.size() < LOOKUPS_PER_PASS; i++) {
                Anchor a = anchors.get(named.methods[i]);
                Long missed = notFound.get(named.methods[i]);
                if ((a == null || a.owner.get() == null) && (missed == null || System.nanoTime() - missed > NOT_FOUND_NANOS)) {
                    wanted.put(named.methods[i], named.classes[i]);
                }
            }
        }
        if (wanted.isEmpty()) {
            return;
        }
        lastLookup = System.nanoTime();
        long[] methods = new long[wanted.size()];
        String[] classes = new String[wanted.size()];
        int k = 0;
        for (Map.Entry<Long, String> e : wanted.entrySet()) {
            methods[k] = e.getKey();
            classes[k++] = e.getValue();
        }
        long began = System.nanoTime();
        Class<?>[] owners = KfrNative.javaClassesOwning(classes, methods);
        long verified = System.nanoTime(); // after every check of the pass: the latest it can have been
        if (owners == null) {
            return;
        }
        if (anchors.size() + owners.length > MAX_ANCHORS) {
            anchors.clear();
        }
        if (notFound.size() + owners.length > MAX_ANCHORS) {
            notFound.clear();
        }
        for (int i = 0; i < owners.length; i++) {
            if (owners[i] != null) {
                anchors.put(methods[i], new Anchor(owners[i], verified));
                notFound.remove(methods[i]);
            } else {
                notFound.put(methods[i], verified);
            }
        }
        if (DEBUG) {
            System.err.printf("kfr: anchors: looked up %d methods, found %d, in %d us%n", methods.length,
                    Arrays.stream(owners).filter(Objects::nonNull).count(), (verified - began) / 1000);
        }
    }

    /** After an untrusted batch: the frames as they can be shown (names that may be stale become unknown). */
    public List<Frame> untrusted(List<Frame> frames) {
        if (!untrustedInBatch.contains(frames)) {
            return frames;
        }
        unknownFrames++;
        return UNLOADED;
    }

    private void clearCaches() {
        cache.clear();
        byDebugPoint.clear();
        KfrNative.javaNameCachesClear();
    }

    public long unknownFrames() {
        return unknownFrames;
    }

    /**
     * The Java frames at a pc of this JVM's code cache (the compiled method and its inlined scopes,
     * innermost first), or null when pc is in no live nmethod. Not cached: for decoders of code
     * addresses (branch traces), which cache per trace.
     */
    public static List<Frame> framesAtPc(long pc) {
        String names = KfrNative.javaNamesAtPc(pc);
        return names == null ? null : parse(names).frames();
    }

    /** The frames of one javaFrameNames answer, as {@link #frames} gives them when not cached. */
    static List<Frame> framesOf(String names) {
        return parse(names).frames();
    }

    private static Named parse(String names) {
        if (names == null || names.isEmpty() || names.startsWith("!")) {
            return unknown(reason(names));
        }
        List<Frame> out = new ArrayList<>(2);
        List<Long> methods = new ArrayList<>(0);
        List<String> classes = new ArrayList<>(0);
        for (String line : names.split("\n")) {
            String[] f = line.split("\t", -1);
            if (f.length < 9) {
                return unknown("malformed");
            }
            int type = Integer.parseInt(f[0]);
            int bci = Integer.parseInt(f[1]);
            int lineNo = Integer.parseInt(f[2]);
            boolean hidden = f[3].equals("1");
            if (!f[5].equals("1")) { // a stub's name does not depend on a class either
                if (f.length < 10) {
                    return unknown("malformed");
                }
                methods.add(Long.parseUnsignedLong(f[9], 16));
                classes.add(f[6]);
            }
            if (type == JS_STUB) {
                out.add(new Frame("libjvm.so", "[stub] " + f[7], "()V", FrameType.CPP, -1, -1, false));
                continue;
            }
            FrameType t = frameType(type);
            if (t == null || f[6].isEmpty() || f[7].isEmpty()) {
                return unknown("unnamed");
            }
            out.add(new Frame(f[6], f[7], f[8], t, lineNo, bci, hidden));
        }
        return out.isEmpty() ? unknown("empty") : new Named(List.copyOf(out),
                methods.stream().mapToLong(Long::longValue).toArray(), classes.toArray(new String[0]));
    }

    /** The frame type of a walker frame kind; null for a kind this symbolizer does not know. */
    private static FrameType frameType(int type) {
        switch (type) {
            case JS_INTERPRETED:
                return FrameType.INTERPRETED;
            case JS_JIT:
                return FrameType.JIT_COMPILED;
            case JS_INLINED:
                return FrameType.INLINED;
            case JS_NATIVE:
                return FrameType.JAVA_NATIVE;
            default:
                return null;
        }
    }

    private static Named unknown(String reason) {
        return new Named(List.of(Frame.unknown("[java: " + reason + "]")), new long[0], new String[0]);
    }

    private static String reason(String names) {
        if (names == null || names.length() < 2) {
            return "unreadable";
        }
        switch (names.substring(1)) {
            case "1":
                return "unreadable";
            case "2":
                return "stale method";
            case "3":
                return "stale nmethod";
            case "4":
                return "bad scope data";
            case "layout":
                return "no layout";
            default:
                return "unnamed";
        }
    }
}
