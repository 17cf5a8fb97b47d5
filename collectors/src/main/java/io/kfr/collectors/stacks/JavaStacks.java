package io.kfr.collectors.stacks;

import io.kfr.collectors.HeapShare;
import io.kfr.collectors.Frame;
import io.kfr.collectors.hotspot.JavaFrameSymbolizer;
import io.kfr.collectors.natives.DirectBuffers;
import io.kfr.collectors.natives.KfrNative;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.kfr.collectors.hotspot.JavaStackRecords.*;

/**
 * The Java stacks the BPF walker announced (id -> frames), named as soon as their record arrives,
 * while the methods they point to are most likely still loaded. Events and aggregates carry only
 * the id. A stack's id is the hash of its frames, the same for every collector, and every collector
 * with Java frames sends its records through one ring (native hotspot/java_maps.h): so there is one
 * store per process ({@link #acquire}), read by whichever collector thread needs ids it has not
 * seen yet; a stack the CPU sampler and the off-CPU collector both see is named and kept once.
 * <p>
 * Memory stays bounded: after {@link #GENERATION} stacks, the kernel is told to forget what it
 * announced (each stack is sent again at its next walk) and a new generation starts; the previous
 * one is kept until the next rotation, and stacks still used move on to the current one. A stack
 * unused for a whole generation and then reused from the off-CPU program's cache is walked and
 * announced again at its next reuse (the program re-walks cached stacks of an older generation).
 */
public final class JavaStacks {
    /** Copies the Java stack records walked since the last call into the buffer; returns bytes or -errno. */
    @FunctionalInterface
    public interface RecordSource {
        int read(ByteBuffer directBuffer);
    }

    /** Makes the kernel forget which stacks it announced; returns how many or -errno. */
    @FunctionalInterface
    public interface Forget {
        int forget();
    }

    /**
     * Stacks per generation; a system property for tests. Two generations of 0.1-0.3 kB a stack
     * (frame list and map entry; frames are shared): at most ~1.2 MB (40-frame stacks), ~0.1 MB for a service
     * whose Java stacks repeat (a few hundred distinct ones).
     */
    static final int GENERATION = Integer.getInteger("kfr.javaStacks.generation", HeapShare.entries(2048, 64));

    private static final List<Frame> LOST = List.of(Frame.unknown("[java stack lost: ring full]"));
    private static final List<Frame> UNVERIFIED = List.of(Frame.unknown("[java stack not verified]"));
    private static final List<Frame> NOT_ANNOUNCED = List.of(Frame.unknown("[java stack unknown]"));

    private static JavaStacks shared;
    private static int users;

    private final RecordSource source;
    private final Forget forget;
    private final JavaFrameSymbolizer symbolizer = new JavaFrameSymbolizer();
    private final ByteBuffer buffer = DirectBuffers.take(MAX_SIZE * 64);
    private Map<Long, List<Frame>> byId = new HashMap<>();
    private Map<Long, List<Frame>> previous = Map.of();

    private JavaStacks(RecordSource source, Forget forget) {
        this.source = source;
        this.forget = forget;
    }

    /** The process's store; every {@code acquire} is paired with one {@link #release}. */
    public static synchronized JavaStacks acquire() {
        if (shared == null) {
            shared = new JavaStacks(KfrNative::javaStacksRead, KfrNative::javaStacksForget);
        }
        users++;
        return shared;
    }

    /** Gives it back; the last user's release frees it (call once the collector's native handle is closed). */
    public void release() {
        synchronized (JavaStacks.class) {
            if (--users == 0) {
                DirectBuffers.give(buffer);
                shared = null;
            }
        }
    }

    /** Takes in the records walked since the last call (by any collector); call after each poll and drain. */
    public synchronized void read() {
        symbolizer.beginBatch();
        Map<Long, List<List<Frame>>> batch = new HashMap<>();
        int bytes;
        do {
            bytes = source.read(buffer);
            if (bytes < 0) {
                throw new IllegalStateException("reading Java stack records failed: " + KfrNative.lastError());
            }
            int at = 0;
            while (at + HDR <= bytes) {
                long id = buffer.getLong(at + ID);
                int n = Short.toUnsignedInt(buffer.getShort(at + N));
                List<List<Frame>> parts = new ArrayList<>(n);
                List<Frame> last = List.of();
                for (int i = 0; i < n; i++) {
                    int f = at + HDR + i * FRAME_SIZE;
                    int value = buffer.getInt(f + FRAME_VALUE);
                    if (endsAtContinuation(last, value)) {
                        break;
                    }
                    last = symbolizer.frames(buffer.getLong(f + FRAME_REF), value, buffer.getInt(f + FRAME_COOKIE));
                    parts.add(last);
                }
                batch.put(id, parts);
                at += HDR + n * FRAME_SIZE;
            }
        } while (bytes + MAX_SIZE > buffer.capacity());
        boolean trusted = symbolizer.endBatch();
        batch.forEach((id, parts) -> {
            List<Frame> frames = new ArrayList<>();
            for (List<Frame> part : parts) {
                frames.addAll(trusted ? part : symbolizer.untrusted(part));
            }
            byId.put(id, List.copyOf(frames));
        });
        if (byId.size() >= GENERATION && forget.forget() >= 0) {
            previous = byId;
            byId = new HashMap<>();
        }
    }

    /**
     * A virtual thread's frames that were not thawed yet (JDK 21+) return into the continuation
     * return barrier, a stub without a frame of its own: the walk stops there, and that is the
     * end of the virtual thread's frames on the carrier's stack, not a broken walk.
     */
    private static boolean endsAtContinuation(List<Frame> previous, int value) {
        if (value >>> KIND_SHIFT != KIND_BROKEN || previous.isEmpty()) {
            return false;
        }
        Frame last = previous.get(previous.size() - 1);
        return last.method().startsWith("[stub] ") && last.method().contains("continuation");
    }

    /** Java frames for a java_ref of an event or aggregate, innermost first (empty: none). */
    public synchronized List<Frame> frames(long javaRef) {
        if (javaRef == JAVA_NONE || javaRef == JAVA_NO_ANCHOR) {
            return List.of();
        }
        if (javaRef == JAVA_LOST) {
            return LOST;
        }
        if (javaRef == JAVA_UNVERIFIED) {
            return UNVERIFIED;
        }
        List<Frame> frames = byId.get(javaRef);
        if (frames == null) {
            // the kernel's per-thread caches reuse ids without announcing them again: a stack still
            // in use moves on to the current generation
            frames = previous.get(javaRef);
            if (frames == null) {
                return NOT_ANNOUNCED;
            }
            byId.put(javaRef, frames);
        }
        return frames;
    }

    public synchronized long unknownFrames() {
        return symbolizer.unknownFrames();
    }
}
