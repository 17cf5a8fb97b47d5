package io.kfr.jfr;

import io.kfr.collectors.Frame;
import io.kfr.collectors.FrameType;
import io.kfr.collectors.StackTrace;
import io.kfr.collectors.symbols.NativeImages;

import java.util.HashSet;
import java.util.Set;

/**
 * The kfr.NativeImage and kfr.NativeSymbol events of one chunk: each native image and each native
 * or kernel function once, spooled before the first event whose stack holds it, so a reader meets
 * them with (or before) the stacks they describe. Only what stacks hold: a few hundred events.
 * Not thread-safe: used under the chunk's lock.
 */
final class NativeImageEvents {
    /** The functions announced, by a hash of what names them: the frames themselves are not kept. */
    private KeysByHash symbols = new KeysByHash();
    private final Set<String> images = new HashSet<>();

    /** Announces every image and function again from now on (a new spool segment, with pools of its own). */
    void forget() {
        symbols = new KeysByHash();
        images.clear();
    }

    /** Where the events go: spooled at once, ahead of the event whose stack needs them. */
    interface Spool {
        <R> void spool(EventType<R> type, R event);
    }

    /** Spools the events {@code stack} needs that are not in the spool yet. */
    void announce(StackTrace stack, long epochNanos, Spool spool) {
        for (Frame f : stack.frames()) {
            FrameType t = f.type();
            if (t != FrameType.NATIVE && t != FrameType.CPP && t != FrameType.KERNEL) {
                continue;
            }
            long address = f.address();
            if (address == -1) {
                continue; // not made by the symbolizers (a test's frame): nothing known to write
            }
            long hash = new KeysByHash.Hasher(6).add(f.owner()).add(f.method()).add(t.ordinal()).add(address).hash();
            if (symbols.get(hash) != 0) {
                continue;
            }
            symbols.put(hash, 1);
            if (images.add(f.owner())) {
                NativeImages.Image image = NativeImages.image(f.owner());
                if (image != null) {
                    spool.spool(KfrEventTypes.NATIVE_IMAGE, new EventRecords.ImageAt(image, epochNanos));
                }
            }
            spool.spool(KfrEventTypes.NATIVE_SYMBOL, new EventRecords.SymbolAt(f, address, epochNanos));
        }
    }
}
