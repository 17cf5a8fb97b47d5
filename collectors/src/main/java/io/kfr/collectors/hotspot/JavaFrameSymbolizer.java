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

/**
 * Names the raw Java frames of the BPF walker (struct kfr_java_frame: ref, value, cookie) through
 * libkfr, which reads the JVM's metadata with checks (native/src/hotspot_symbols.c). A compiled
 * frame expands into its inlined methods. Results are cached per raw frame; the cache is dropped
 * when the JVM has unloaded classes since, because a Method* of an unloaded class may be reused.
 * A frame that cannot be validated becomes one "[unknown]" Java frame, counted, never a guess.
 * Not thread-safe: the collector thread's.
 */
public final class JavaFrameSymbolizer {
    /** Frame kinds (value >>> 28), kfr_records.h KFR_JF_*. */
    private static final int KIND_TRUNCATED = 4;
    private static final int KIND_BROKEN = 5;
    /** Scope types, hotspot_symbols.h KFR_JS_*. */
    private static final int JS_INTERPRETED = 1;
    private static final int JS_JIT = 2;
    private static final int JS_INLINED = 3;
    private static final int JS_NATIVE = 4;
    private static final int JS_STUB = 5;
    private static final int MAX_CACHED = 200_000;
    private static final boolean DEBUG = System.getenv("KFR_DEBUG") != null;

    private static final List<Frame> TRUNCATED = List.of(Frame.unknown("[truncated]"));

    private final Map<FrameKey, List<Frame>> cache = new HashMap<>();
    private final ClassLoadingMXBean classLoading = ManagementFactory.getClassLoadingMXBean();
    private long unloadedClasses = classLoading.getUnloadedClassCount();
    private long unknownFrames;

    private record FrameKey(long ref, int value, int cookie) {
    }

    /** The Java frames of one physical frame, innermost first (never empty). */
    public List<Frame> frames(long ref, int value, int cookie) {
        int kind = value >>> 28;
        if (kind == KIND_TRUNCATED) {
            return TRUNCATED;
        }
        if (kind == KIND_BROKEN) {
            unknownFrames++;
            return List.of(Frame.unknown("[java: walk stopped, reason " + (value & 0x0fff_ffff) + "]"));
        }
        FrameKey key = new FrameKey(ref, value, cookie);
        List<Frame> known = cache.get(key);
        if (known != null) {
            return known;
        }
        List<Frame> frames = parse(KfrNative.javaFrameNames(ref, value, cookie));
        if (frames.get(0).type() == FrameType.UNKNOWN) {
            unknownFrames++;
            if (DEBUG) {
                System.err.printf("kfr: java frame %#x %#x %d: %s%n", ref, value, cookie, frames.get(0).owner());
            }
            return frames; // not cached: it may be named later (e.g. metadata not yet readable)
        }
        if (cache.size() >= MAX_CACHED) {
            cache.clear();
        }
        cache.put(key, frames);
        return frames;
    }

    /** Forgets names of frames whose Method* may have been reused since (the JVM unloaded classes). */
    public void checkClassUnloading() {
        long unloaded = classLoading.getUnloadedClassCount();
        if (unloaded != unloadedClasses) {
            unloadedClasses = unloaded;
            cache.clear();
        }
    }

    public long unknownFrames() {
        return unknownFrames;
    }

    private static List<Frame> parse(String names) {
        if (names == null || names.isEmpty() || names.startsWith("!")) {
            return List.of(Frame.unknown("[java: " + reason(names) + "]"));
        }
        List<Frame> out = new ArrayList<>(2);
        for (String line : names.split("\n")) {
            String[] f = line.split("\t", -1);
            if (f.length < 8) {
                return List.of(Frame.unknown("[java: malformed]"));
            }
            int type = Integer.parseInt(f[0]);
            int bci = Integer.parseInt(f[1]);
            int lineNo = Integer.parseInt(f[2]);
            boolean hidden = f[3].equals("1");
            if (type == JS_STUB) {
                out.add(new Frame("libjvm.so", "[stub] " + f[6], "()V", FrameType.CPP, -1, -1, false));
                continue;
            }
            FrameType t = switch (type) {
                case JS_INTERPRETED -> FrameType.INTERPRETED;
                case JS_JIT -> FrameType.JIT_COMPILED;
                case JS_INLINED -> FrameType.INLINED;
                case JS_NATIVE -> FrameType.JAVA_NATIVE;
                default -> null;
            };
            if (t == null || f[5].isEmpty() || f[6].isEmpty()) {
                return List.of(Frame.unknown("[java: unnamed]"));
            }
            out.add(new Frame(f[5], f[6], f[7], t, lineNo, bci, hidden));
        }
        return out.isEmpty() ? List.of(Frame.unknown("[java: empty]")) : List.copyOf(out);
    }

    private static String reason(String names) {
        if (names == null || names.length() < 2) {
            return "unreadable";
        }
        return switch (names.substring(1)) {
            case "1" -> "unreadable";
            case "2" -> "stale method";
            case "3" -> "stale nmethod";
            case "4" -> "bad scope data";
            case "layout" -> "no layout";
            default -> "unnamed";
        };
    }
}
