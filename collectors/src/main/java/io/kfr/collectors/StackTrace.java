package io.kfr.collectors;

import java.util.List;
import java.util.Objects;

/**
 * A symbolized stack, innermost frame first (kernel frames, then native, then Java).
 * Instances are shared: equal stacks resolved from the same kernel stack ids are the same object,
 * so consumers may deduplicate by identity or by {@link #equals}.
 */
public final class StackTrace {
    private final List<Frame> frames;
    private final boolean truncated;

    public List<Frame> frames() {
        return frames;
    }

    public boolean truncated() {
        return truncated;
    }

    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof StackTrace)) {
            return false;
        }
        StackTrace o = (StackTrace) other;
        return Objects.equals(frames, o.frames) && truncated == o.truncated;
    }

    @Override
    public int hashCode() {
        int h = 0;
        h = 31 * h + Objects.hashCode(frames);
        h = 31 * h + Boolean.hashCode(truncated);
        return h;
    }

    @Override
    public String toString() {
        return "StackTrace[frames=" + frames + ", truncated=" + truncated + "]";
    }

    public static final StackTrace EMPTY = new StackTrace(List.of(), false);

    public StackTrace(List<Frame> frames, boolean truncated) {
        frames = List.copyOf(frames);
        this.frames = frames;
        this.truncated = truncated;
    }
}
