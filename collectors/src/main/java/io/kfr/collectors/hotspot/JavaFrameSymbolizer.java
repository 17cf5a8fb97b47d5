package io.kfr.collectors.hotspot;

import io.kfr.collectors.Frame;
import io.kfr.collectors.FrameType;
import io.kfr.collectors.natives.KfrNative;

import java.lang.management.ClassLoadingMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

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
 * the names used in it are not trusted and the cache is dropped; except names of methods whose
 * class loader never unloads (the boot and application loaders), whose metadata is never reused.
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
    private static final int MAX_CACHED = 8_192;
    private static final boolean DEBUG = System.getenv("KFR_DEBUG") != null;

    private static final List<Frame> TRUNCATED = List.of(Frame.unknown("[truncated]"));
    private static final List<Frame> UNLOADED = List.of(Frame.unknown("[java: classes unloaded meanwhile]"));

    private final Map<FrameKey, Named> cache = new HashMap<>();
    /** Names of interrupted pcs by (nmethod, debug point, compile id): KfrNative.javaDebugPoint. */
    private final Map<FrameKey, Named> byDebugPoint = new HashMap<>();
    private final ClassLoadingMXBean classLoading = ManagementFactory.getClassLoadingMXBean();
    private long unloadedClasses = classLoading.getUnloadedClassCount();
    private long unknownFrames;
    /** Names used in the current batch whose metadata could be reused after class unloading. */
    private final java.util.Set<List<Frame>> usedInBatch = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());

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

    /** A frame's names; neverUnloaded: all its methods belong to loaders that never unload. */
    private static final class Named {
        private final List<Frame> frames;
        private final boolean neverUnloaded;

        private Named(List<Frame> frames, boolean neverUnloaded) {
            this.frames = frames;
            this.neverUnloaded = neverUnloaded;
        }

        public List<Frame> frames() {
            return frames;
        }

        public boolean neverUnloaded() {
            return neverUnloaded;
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
            return Objects.equals(frames, o.frames) && neverUnloaded == o.neverUnloaded;
        }

        @Override
        public int hashCode() {
            int h = 0;
            h = 31 * h + Objects.hashCode(frames);
            h = 31 * h + Boolean.hashCode(neverUnloaded);
            return h;
        }

        @Override
        public String toString() {
            return "Named[frames=" + frames + ", neverUnloaded=" + neverUnloaded + "]";
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
            usedInBatch.add(named.frames());
        }
        return named.frames();
    }

    /** Starts naming the frames of records walked since the last batch. */
    public void beginBatch() {
        usedInBatch.clear();
    }

    /**
     * Ends a batch: true if its names can be trusted; false if classes were unloaded meanwhile,
     * and then {@link #untrusted} replaces the names of unloadable methods used in this batch.
     */
    public boolean endBatch() {
        long unloaded = classLoading.getUnloadedClassCount();
        if (unloaded == unloadedClasses) {
            return true;
        }
        unloadedClasses = unloaded;
        clearCaches();
        return usedInBatch.isEmpty();
    }

    /** After an untrusted batch: the frames as they can be shown (names that may be stale become unknown). */
    public List<Frame> untrusted(List<Frame> frames) {
        if (!usedInBatch.contains(frames)) {
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
        boolean allNeverUnloaded = true;
        for (String line : names.split("\n")) {
            String[] f = line.split("\t", -1);
            if (f.length < 9) {
                return unknown("malformed");
            }
            int type = Integer.parseInt(f[0]);
            int bci = Integer.parseInt(f[1]);
            int lineNo = Integer.parseInt(f[2]);
            boolean hidden = f[3].equals("1");
            allNeverUnloaded &= f[5].equals("1"); // a stub's name does not depend on a class either
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
        return out.isEmpty() ? unknown("empty") : new Named(List.copyOf(out), allNeverUnloaded);
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
        return new Named(List.of(Frame.unknown("[java: " + reason + "]")), true);
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
