package io.kfr.collectors;

import java.util.function.Consumer;

/**
 * Hands a collector's fatal failure to its listener from the collector's own thread. The failure
 * may be an OutOfMemoryError while the application's heap is still full, so saying it may fail too:
 * it is tried again every 100 ms for up to 10 s (until the heap has room for one line), and nothing
 * ever escapes to the JVM's uncaught-exception handler.
 */
public final class FailureReport {
    private static final int TRIES = 100;

    private FailureReport() {
    }

    /** Loads this class ahead: with the heap full, loading it would fail before it could help. */
    public static void load() {
        // nothing else to do: calling this loaded and initialized the class
    }

    /** @param sink must throw when it could not say it (e.g. OutOfMemoryError building the line) */
    public static void tell(Consumer<Throwable> sink, Throwable failure) {
        for (int i = 0; i < TRIES; i++) {
            try {
                sink.accept(failure);
                return;
            } catch (Throwable again) {
                try {
                    Thread.sleep(100);
                } catch (Throwable interrupted) {
                    return;
                }
            }
        }
    }
}
