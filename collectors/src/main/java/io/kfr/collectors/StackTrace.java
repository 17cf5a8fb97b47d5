package io.kfr.collectors;

import java.util.List;

/**
 * A symbolized stack, innermost frame first (kernel frames, then native, then Java).
 * Instances are shared: equal stacks resolved from the same kernel stack ids are the same object,
 * so consumers may deduplicate by identity or by {@link #equals}.
 */
public record StackTrace(List<Frame> frames, boolean truncated) {
    public static final StackTrace EMPTY = new StackTrace(List.of(), false);

    public StackTrace {
        frames = List.copyOf(frames);
    }
}
